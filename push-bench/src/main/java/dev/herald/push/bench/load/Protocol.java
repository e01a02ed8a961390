package dev.herald.push.bench.load;

/** How a load client speaks to the server under test. */
public enum Protocol {
  /**
   * Herald over WebSocket: {@code /push/ws}, a {@code subscribe} frame, resume with {@code since}.
   */
  HERALD_WS("herald-ws", true, true),
  /** Herald over Server-Sent Events: {@code /push/sse?channel=}, resume with Last-Event-ID. */
  HERALD_SSE("herald-sse", false, true),
  /** The raw Jetty WebSocket broadcast endpoint. */
  RAW_WS("raw-ws", true, false),
  /** The raw Jetty async-servlet SSE writer. */
  RAW_SSE("raw-sse", false, false),
  /** CometD's Bayeux over its Jetty WebSocket transport. */
  COMETD_WS("cometd-ws", true, false);

  private final String label;
  private final boolean webSocket;
  private final boolean resumable;

  Protocol(String label, boolean webSocket, boolean resumable) {
    this.label = label;
    this.webSocket = webSocket;
    this.resumable = resumable;
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
        "unknown protocol " + label + ": herald-ws, herald-sse, raw-ws, raw-sse or cometd-ws");
  }
}
