/**
 * The service-provider interfaces: {@link dev.herald.push.spi.Broker} for where history lives and
 * how messages reach other nodes, and {@link dev.herald.push.spi.Connection} with {@link
 * dev.herald.push.spi.FrameSink} for transports. Applications rarely touch this package.
 */
package dev.herald.push.spi;
