package dev.herald.push;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.List;

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

  /**
   * Set, under the connection's lock, once the connection no longer holds this subscription
   * (unsubscribed, or the connection closed): its frames are no longer queued.
   */
  boolean dropped;

  /**
   * Whether the connection asked for the channel's presence frames: set before it starts, or later
   * by a second subscribe that asks for them. Read by the route without the connection's lock.
   */
  volatile boolean presenceEvents;

  /** Whether its route counts it among the subscriptions that want presence; route's lock. */
  boolean presenceCounted;

  /** Set once its connection starts it (join, attach). */
  volatile boolean started;

  /** Presence changes held until the {@code members} snapshot; past this a newer one is taken. */
  static final int MAX_PRESENCE_HELD = 1024;

  // Guarded by the connection's lock.
  boolean presenceSnapshotSent;
  List<PresenceEvent> presenceHeld;
  boolean presenceOverflow;

  ArrayDeque<Message> pending;
  boolean pendingOverflow;
  int liveIndex = -1;

  /**
   * Whether the subscriber's presence was announced; changed by CAS (a field, not an atomic object
   * per subscription), since a join (on start) and a leave (on release) may race: {@code
   * UNANNOUNCED → JOINED → LEFT}, or {@code UNANNOUNCED → LEFT} for a subscription released before
   * it started, which then announces neither.
   */
  enum Presence {
    UNANNOUNCED,
    JOINED,
    LEFT
  }

  private static final VarHandle PRESENCE;

  static {
    try {
      PRESENCE =
          MethodHandles.lookup().findVarHandle(Subscription.class, "presence", Presence.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Announced by {@link Hub#joined} and {@link Hub#left}, each at most once; see {@link #join}. */
  private volatile Presence presence = Presence.UNANNOUNCED;

  /**
   * The number of the last entry of its route's walks it was given (or skipped, having caught up
   * past it); set when it goes live, under the route's lock, then by the walks, under the
   * connection's lock.
   */
  long walked;

  /** The position after the last frame of this channel queued to the connection. */
  volatile Position position;

  Subscription(ConnectionImpl connection, String channel, Member member) {
    this.connection = connection;
    this.channel = channel;
    this.member = member;
  }

  /** {@code UNANNOUNCED → JOINED}; whether this call made it, so the join is announced. */
  boolean join() {
    return PRESENCE.compareAndSet(this, Presence.UNANNOUNCED, Presence.JOINED);
  }

  /** Moves to {@code LEFT}; whether it had joined, so the leave is announced. */
  boolean leave() {
    return (Presence) PRESENCE.getAndSet(this, Presence.LEFT) == Presence.JOINED;
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
