package dev.herald.push;

import java.util.ArrayList;
import java.util.List;

/**
 * A route's subscribers sorted by {@link Subscription.State}, one list per state the route acts on.
 * Not thread-safe: guarded by its route's lock.
 *
 * <p>Design notes. A subscription's state and its place in these lists change together, only
 * through {@link #move}: {@code NEW → WAITING} (the route is starting) {@code → CATCHING_UP}
 * (replaying) {@code → LIVE}, skipping steps when it is already level, and back from {@code LIVE}
 * to {@code CATCHING_UP} never. Any state {@code → CLOSED} on {@link #remove}. The live list is
 * walked by index on every message, so a subscription remembers its index there and leaves it in
 * constant time (the last one takes its place); delivery order among subscribers carries no
 * meaning.
 */
final class RouteSubscribers {
  /** Subscriptions that get each live message. */
  final List<Subscription> live = new ArrayList<>();

  /** Subscriptions replaying from history; live messages are collected for them. */
  final List<Subscription> catchingUp = new ArrayList<>();

  /** Subscriptions waiting for the route's live feed to start. */
  final List<Subscription> waiting = new ArrayList<>();

  private static final Subscription[] NONE = {};

  /**
   * {@link #live} as an array, made when a walk first needs it after the list changed ({@code null}
   * until then) and shared by the walks that follow (never written once made): a walk holds its
   * start's subscribers without a copy per message.
   */
  private Subscription[] liveArray = NONE;

  /** The live subscribers now, as an array the caller must not change. */
  Subscription[] liveSnapshot() {
    Subscription[] array = liveArray;
    if (array == null) {
      liveArray = array = live.toArray(NONE);
    }
    return array;
  }

  /** Moves the subscription to the state, and to that state's list. */
  void move(Subscription sub, Subscription.State state) {
    if (sub.state == state) {
      return;
    }
    switch (sub.state) {
      case LIVE -> removeLive(sub);
      case CATCHING_UP -> catchingUp.remove(sub);
      case WAITING -> waiting.remove(sub);
      default -> {}
    }
    sub.state = state;
    switch (state) {
      case LIVE -> {
        sub.liveIndex = live.size();
        live.add(sub);
        liveArray = null;
      }
      case CATCHING_UP -> catchingUp.add(sub);
      case WAITING -> waiting.add(sub);
      default -> {}
    }
  }

  /** Closes the subscription: it leaves every list and drops what it collected. */
  void remove(Subscription sub) {
    move(sub, Subscription.State.CLOSED);
    sub.clearPending();
  }

  /**
   * Every waiting subscription, in the order they came, for the route to {@link #move} on; the
   * waiting list is emptied.
   */
  List<Subscription> takeWaiting() {
    List<Subscription> taken = new ArrayList<>(waiting);
    waiting.clear();
    return taken;
  }

  private void removeLive(Subscription sub) {
    int i = sub.liveIndex;
    int lastIndex = live.size() - 1;
    Subscription moved = live.remove(lastIndex);
    if (i != lastIndex) {
      live.set(i, moved);
      moved.liveIndex = i;
    }
    sub.liveIndex = -1;
    liveArray = null;
  }
}
