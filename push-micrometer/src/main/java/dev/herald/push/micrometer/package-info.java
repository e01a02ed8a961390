/**
 * Herald's meters for Micrometer: {@link dev.herald.push.micrometer.HeraldMeterBinder} binds a
 * hub's counters to a {@code MeterRegistry}; {@link
 * dev.herald.push.micrometer.HeraldChannelMetrics} adds meters per channel pattern for the patterns
 * an application names. See {@code docs/operations.md} for every meter, its tags and its unit.
 */
package dev.herald.push.micrometer;
