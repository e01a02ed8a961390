package dev.herald.push;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One connection's subscription to one channel. Its state and pending messages are guarded by its
 * route's lock; its position is written under the connection's lock and read anywhere.
 */
final class Subscription {
  enum State {
    /** Registered with its connection; not yet attached to its route. */
    NEW,
    /** Attached; waiting for the route's live feed to start. */
    WAITING,
    /** Replaying from history; live messages collect in {@link #pending}. */
    CATCHING_UP,
    /** Receiving live messages. */
    LIVE,
    /** Unsubscribed or its connection closed. */
    CLOSED
  }

  /** Live messages kept for a catching-up subscriber; past this it replays again instead. */
  static final int MAX_PENDING = 4096;

  final ConnectionImpl connection;
  final String channel;
  final Member member;
  ChannelRoute route;
  State state = State.NEW;
  boolean replayed;

  /** Whether it came with a position to resume from and has not yet been counted as resumed. */
  boolean resuming;

  ArrayDeque<Message> pending;
  boolean pendingOverflow;
  int liveIndex = -1;

  /**
   * Whether the subscriber's presence was announced; changed by CAS, since a join (on start) and a
   * leave (on release) may race: {@code UNANNOUNCED → JOINED → LEFT}, or {@code UNANNOUNCED → LEFT}
   * for a subscription released before it started, which then announces neither.
   */
  enum Presence {
    UNANNOUNCED,
    JOINED,
    LEFT
  }

  /** Announced by {@link Hub#joined} and {@link Hub#left}, each at most once. */
  final AtomicReference<Presence> presence = new AtomicReference<>(Presence.UNANNOUNCED);

  /** The position after the last frame of this channel queued to the connection. */
  volatile Position position;

  Subscription(ConnectionImpl connection, String channel, Member member) {
    this.connection = connection;
    this.channel = channel;
    this.member = member;
  }

  void collect(Message m) {
    if (pendingOverflow) {
      return;
    }
    if (pending == null) {
      pending = new ArrayDeque<>();
    }
    if (pending.size() >= MAX_PENDING) {
      pending = null;
      pendingOverflow = true;
    } else {
      pending.add(m);
    }
  }

  void clearPending() {
    pending = null;
    pendingOverflow = false;
  }
}
