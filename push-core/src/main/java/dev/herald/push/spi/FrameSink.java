package dev.herald.push.spi;

import java.util.List;

/**
 * The transport's side of a connection: where the hub's outbox writes. The hub never has more than
 * one {@link #write} in flight per connection, so implementations need no queue of their own.
 */
public interface FrameSink {
  /**
   * Writes the frames, in order, without blocking, and then calls exactly one of the callback's
   * methods, from any thread, possibly before this method returns.
   */
  void write(List<Frame> frames, WriteCallback callback);

  /**
   * Ends the connection. The hub calls it once whichever side started the close; the sink must cope
   * with being called after the transport has already seen the client go.
   */
  void close(CloseReason reason);

  /** The outcome of one {@link #write}. */
  interface WriteCallback {
    /** The frames were handed to the network. */
    void succeeded();

    /** The frames could not be written; the hub closes the connection. */
    void failed(Throwable cause);
  }
}
