package dev.herald.push;

/**
 * Hears members join and leave channels. Called on the hub's dispatcher threads, one event at a
 * time per channel, in the order they happened on this node.
 */
@FunctionalInterface
public interface PresenceListener {
  /** Called once for each join and each leave. */
  void onPresence(PresenceEvent event);
}
