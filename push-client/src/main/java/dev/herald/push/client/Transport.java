package dev.herald.push.client;

import java.util.Locale;

/**
 * The ways a {@link HeraldClient} can reach a Herald server, each an endpoint under the client's
 * base URI. Immutable.
 */
public enum Transport {
  /**
   * A WebSocket at {@code <base>/ws}: one socket both ways, channels added and removed with frames,
   * publishes acknowledged on the socket.
   */
  WEBSOCKET("/ws"),
  /** Server-Sent Events at {@code <base>/sse}; publishes go to {@code <base>/publish}. */
  SSE("/sse"),
  /** NDJSON streaming at {@code <base>/stream}; publishes go to {@code <base>/publish}. */
  STREAM("/stream"),
  /** Long polling at {@code <base>/poll}; publishes go to {@code <base>/publish}. */
  POLL("/poll");

  private final String path;

  Transport(String path) {
    this.path = path;
  }

  /** The endpoint's path below the base URI, such as {@code /sse}. */
  String path() {
    return path;
  }

  /** Whether the transport carries client frames, so that channels change without reconnecting. */
  boolean twoWay() {
    return this == WEBSOCKET;
  }

  /** The name herald.js uses for this transport: {@code websocket}, {@code sse}, … */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
