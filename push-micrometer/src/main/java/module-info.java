/**
 * Herald's Micrometer binding: a hub's connections, deliveries, publishes, replays, broker health
 * and drain as meters of a {@code MeterRegistry}.
 */
// Micrometer's jars are automatic modules; its types are part of this module's API.
@SuppressWarnings("requires-transitive-automatic")
module dev.herald.push.micrometer {
  requires transitive dev.herald.push;
  requires transitive micrometer.core;
  requires org.slf4j;

  exports dev.herald.push.micrometer;
}
