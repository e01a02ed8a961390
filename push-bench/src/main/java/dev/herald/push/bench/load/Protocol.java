package dev.herald.push.bench.load;

/** How a load client speaks to the server under test. */
public enum Protocol {
  /**
   * Herald over WebSocket: {@code /push/ws}, a {@code subscribe} frame, resume with {@code since}.
   */
  HERALD_WS("herald-ws", true, true, false),
  /** Herald over Server-Sent Events: {@code /push/sse?channel=}, resume with Last-Event-ID. */
  HERALD_SSE("herald-sse", false, true, false),
  /** Herald's NDJSON stream, {@code /push/stream?channel=}: idle connections only. */
  HERALD_NDJSON("herald-ndjson", false, false, true),
  /**
   * Herald's long poll held open: a first {@code /push/poll?timeout=0} for the cursor, then a poll
   * with {@code since} that the server holds, polled again whenever it answers. Idle only.
   */
  HERALD_POLL("herald-poll", false, false, true),
  /** The raw Jetty WebSocket broadcast endpoint. */
  RAW_WS("raw-ws", true, false, false),
  /** The raw Jetty async-servlet SSE writer. */
  RAW_SSE("raw-sse", false, false, false),
  /** A raw Jetty async request held open without an answer, the floor of a held poll. Idle only. */
  RAW_POLL("raw-poll", false, false, true),
  /** CometD's Bayeux over its Jetty WebSocket transport. */
  COMETD_WS("cometd-ws", true, false, false);

  private final String label;
  private final boolean webSocket;
  private final boolean resumable;
  private final boolean idleOnly;

  Protocol(String label, boolean webSocket, boolean resumable, boolean idleOnly) {
    this.label = label;
    this.webSocket = webSocket;
    this.resumable = resumable;
    this.idleOnly = idleOnly;
  }

  /** Whether only the idle scenario runs it: the client does not count its deliveries. */
  public boolean idleOnly() {
    return idleOnly;
  }

  /** The name on the command line and in reports. */
  public String label() {
    return label;
  }

  boolean webSocket() {
    return webSocket;
  }

  /** Whether a dropped client can resume where it stopped. */
  public boolean resumable() {
    return resumable;
  }

  /** The server implementation ({@code --impl}) that serves this protocol. */
  public String impl() {
    return label.substring(0, label.indexOf('-'));
  }

  /** Parses a label such as {@code herald-ws}. */
  public static Protocol of(String label) {
    for (Protocol p : values()) {
      if (p.label.equals(label)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "unknown protocol "
            + label
            + ": herald-ws, herald-sse, herald-ndjson, herald-poll, raw-ws, raw-sse, raw-poll or"
            + " cometd-ws");
  }
}
