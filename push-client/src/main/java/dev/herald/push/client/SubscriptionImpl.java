package dev.herald.push.client;

import dev.herald.push.EphemeralMessage;
import dev.herald.push.Message;
import java.util.function.Consumer;

/** A handler's subscription; closing it goes through the engine. Thread-safe. */
final class SubscriptionImpl implements Subscription {
  private final Engine engine;
  private final String channel;
  private final Consumer<Message> handler;
  private final Consumer<EphemeralMessage> onEphemeral;
  private volatile boolean active = true;

  /**
   * @param onEphemeral the handler of ephemeral messages, or {@code null} to drop them
   */
  SubscriptionImpl(
      Engine engine,
      String channel,
      Consumer<Message> handler,
      Consumer<EphemeralMessage> onEphemeral) {
    this.engine = engine;
    this.channel = channel;
    this.handler = handler;
    this.onEphemeral = onEphemeral;
  }

  @Override
  public String channel() {
    return channel;
  }

  @Override
  public boolean isActive() {
    return active;
  }

  @Override
  public void close() {
    if (active) {
      engine.unsubscribe(this);
    }
  }

  /** Stops the handler; the engine calls it under its lock. */
  void deactivate() {
    active = false;
  }

  /** Calls the handler if still active; on the callback thread. */
  void deliver(Message message) {
    if (active) {
      handler.accept(message);
    }
  }

  /**
   * Calls the ephemeral handler if there is one and the subscription is active; on the callback
   * thread.
   */
  void deliver(EphemeralMessage message) {
    if (active && onEphemeral != null) {
      onEphemeral.accept(message);
    }
  }

  @Override
  public String toString() {
    return "Subscription[" + channel + (active ? "" : ", closed") + "]";
  }
}
