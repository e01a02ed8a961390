/**
 * The service-provider interfaces, for modules that extend Herald rather than use it: {@link
 * dev.herald.push.spi.Broker} for where history lives and how messages reach other nodes, and
 * {@link dev.herald.push.spi.TransportContext} with {@link dev.herald.push.spi.Connection} and
 * {@link dev.herald.push.spi.FrameSink} for transports. A transport gets its context from {@link
 * dev.herald.push.PushHub#transportContext()}. Applications rarely touch this package.
 */
package dev.herald.push.spi;
