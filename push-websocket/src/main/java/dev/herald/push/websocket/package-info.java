/**
 * Herald's WebSocket transport on the Jakarta WebSocket 2.1 API, for any Servlet 6 container that
 * implements it (tested on Jetty 12 ee10 and Tomcat 11).
 *
 * <p>{@link dev.herald.push.websocket.PushWebSocket#register} mounts the endpoint in a webapp;
 * {@link dev.herald.push.websocket.PushWebSocketOptions} sets its origin policy, frame limits and
 * liveness checks. Clients speak JSON text frames: {@code subscribe} (with an optional {@code
 * since} cursor), {@code unsubscribe}, {@code publish} (answered by {@code ack} or {@code error}
 * with the same {@code ref}) and {@code ping}; the server sends {@code ready}, {@code subscribed},
 * {@code message}, {@code reset}, {@code ack}, {@code error} and {@code pong}.
 */
package dev.herald.push.websocket;
