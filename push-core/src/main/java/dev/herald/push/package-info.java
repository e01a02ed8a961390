/**
 * Herald's core API: build a {@link dev.herald.push.PushHub}, publish to its {@link
 * dev.herald.push.Channel}s, and decide who may do what with an {@link dev.herald.push.Authorizer}.
 * Transports live in their own modules and reach the hub through {@link
 * dev.herald.push.spi.TransportContext}; brokers plug in through {@link dev.herald.push.spi}. The
 * public types here are the whole API: the hub's machinery is package-private.
 */
package dev.herald.push;
