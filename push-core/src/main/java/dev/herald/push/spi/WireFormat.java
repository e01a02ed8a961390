package dev.herald.push.spi;

/**
 * How a transport puts frames on the wire. The hub encodes each message once per wire format and
 * shares the bytes among all connections of that format. Immutable.
 */
public enum WireFormat {
  /** One JSON frame per WebSocket text message; {@code subscribed} frames; no heartbeats. */
  WEBSOCKET(false, true),
  /** Server-Sent Events: the cursor in {@code id:}, control frames as named events. */
  SSE(true, false),
  /** One JSON frame per line ({@code application/x-ndjson}), heartbeat lines. */
  NDJSON(true, false),
  /** JSON frames collected into a long-poll response body. */
  POLL(false, false);

  private final boolean heartbeats;
  private final boolean subscribedFrames;

  WireFormat(boolean heartbeats, boolean subscribedFrames) {
    this.heartbeats = heartbeats;
    this.subscribedFrames = subscribedFrames;
  }

  /** Whether the hub sends heartbeat frames on idle connections of this format. */
  public boolean heartbeats() {
    return heartbeats;
  }

  /** Whether each subscribe is confirmed by a {@code subscribed} frame. */
  public boolean subscribedFrames() {
    return subscribedFrames;
  }
}
