/**
 * Herald's Java client: {@link dev.herald.push.client.HeraldClient} connects to a Herald server
 * over WebSocket, Server-Sent Events, NDJSON streaming or long polling (JDK {@code java.net.http}
 * only), multiplexes channels over one connection, publishes with acknowledgement, and reconnects
 * with backoff, resuming from its cursor so that no message within the server's history is lost or
 * delivered twice.
 *
 * <p>The public types are {@link dev.herald.push.client.HeraldClient} and its builder, {@link
 * dev.herald.push.client.Subscription}, {@link dev.herald.push.client.HeraldListener}, {@link
 * dev.herald.push.client.Transport}, {@link dev.herald.push.client.Ack} and {@link
 * dev.herald.push.client.HeraldException}; messages arrive as push-core's {@link
 * dev.herald.push.Message}, ephemeral ones (live only, without offset) as its {@link
 * dev.herald.push.EphemeralMessage}. Everything else is package-private.
 *
 * <p>Threads: each client has one callback thread (handlers, listener, publish futures; one call at
 * a time, in arrival order) and one timer thread (reconnects, timeouts); I/O runs on the JDK {@code
 * HttpClient}'s threads, which never run application code. See docs/client.md.
 */
package dev.herald.push.client;
