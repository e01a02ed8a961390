/**
 * Herald's core API: build a {@link dev.herald.push.PushHub}, publish to its {@link
 * dev.herald.push.Channel}s, and decide who may do what with an {@link dev.herald.push.Authorizer}.
 * Transports live in their own modules; brokers plug in through {@link dev.herald.push.spi}.
 */
package dev.herald.push;
