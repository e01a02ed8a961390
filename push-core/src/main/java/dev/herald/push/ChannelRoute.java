package dev.herald.push;

import dev.herald.push.spi.BrokerListener;
import dev.herald.push.spi.BrokerSubscription;
import dev.herald.push.spi.CloseReason;
import dev.herald.push.spi.Replay;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's delivery of one channel to its local subscribers: exact, whatever the broker's live
 * feed does.
 *
 * <p>Design notes. Offsets are dense, so the route remembers the last offset it delivered ({@code
 * last}, in {@code epoch}). A live message with the next offset is handed to every live
 * subscriber's outbox; one at or below {@code last} is a duplicate and dropped; one beyond reveals
 * a gap, which the route fills with a broker replay before going on, holding later live messages
 * meanwhile ("repairing"). A message of another epoch means the history was lost: live subscribers
 * get {@code reset}.
 *
 * <p>A new subscriber starts at its own position and catches up by replay while the route keeps
 * delivering live to others; live messages that arrive meanwhile are collected for it. When a
 * replay brings it level with {@code last} (or its collected messages bridge the rest) it joins the
 * live list under the lock, so no message is missed or repeated. The route's lock is never held
 * across a broker call: replays start on the hub's executor, complete later on any thread, and take
 * the lock again. Lock order: broker, then route, then connection.
 */
final class ChannelRoute implements BrokerListener {
  private static final Logger LOG = LoggerFactory.getLogger(ChannelRoute.class);
  private static final int MAX_HELD = 8192;
  private static final long RETRY_MILLIS = 1000;

  final String name;
  private final Hub hub;
  final ReentrantLock lock = new ReentrantLock();

  /** Subscriptions counted by {@link Hub}'s route map, changed only inside its compute calls. */
  int refs;

  // Guarded by lock.
  private boolean initialized;
  private boolean closed;
  private String epoch;
  private long last;
  private boolean repairing;
  private final ArrayDeque<Message> held = new ArrayDeque<>();
  private boolean heldOverflow;
  private final List<Subscription> live = new ArrayList<>();
  private final List<Subscription> waiting = new ArrayList<>();
  private final List<Subscription> catchingUp = new ArrayList<>();
  private BrokerSubscription brokerSubscription;

  ChannelRoute(String name, Hub hub) {
    this.name = name;
    this.hub = hub;
  }

  /** Starts the live feed; called once, after the route is in the hub's map. */
  void start() {
    hub.broker()
        .subscribe(name, this)
        .thenCompose(
            sub -> {
              lock.lock();
              try {
                if (closed) {
                  sub.close();
                } else {
                  if (brokerSubscription != null) {
                    // A retried start: the feed of the failed attempt would otherwise stay open.
                    brokerSubscription.close();
                  }
                  brokerSubscription = sub;
                }
              } finally {
                lock.unlock();
              }
              return hub.broker().position(name);
            })
        .whenComplete(this::onStarted);
  }

  private void onStarted(Position head, Throwable error) {
    List<Subscription> toFail = List.of();
    lock.lock();
    try {
      if (closed) {
        return;
      }
      if (error != null) {
        LOG.warn("Channel {}: cannot start the live feed: {}", name, error.toString());
        toFail = new ArrayList<>(waiting);
        toFail.addAll(catchingUp);
        hub.scheduleLater(this::start, RETRY_MILLIS);
        return;
      }
      initialized = true;
      epoch = head.epoch();
      last = head.offset();
      drainHeld();
      for (Subscription sub : new ArrayList<>(waiting)) {
        waiting.remove(sub);
        catchUp(sub);
      }
    } finally {
      lock.unlock();
      for (Subscription sub : toFail) {
        sub.connection.closeLater(CloseReason.UNAVAILABLE);
      }
    }
  }

  /** Stops the live feed; the hub calls it when the last subscriber left. */
  void stop() {
    BrokerSubscription sub;
    lock.lock();
    try {
      closed = true;
      sub = brokerSubscription;
      brokerSubscription = null;
      held.clear();
    } finally {
      lock.unlock();
    }
    if (sub != null) {
      sub.close();
    }
  }

  /** Adds a subscription whose start position is known. */
  void attach(Subscription sub) {
    lock.lock();
    try {
      if (sub.state != Subscription.State.NEW) {
        return;
      }
      catchUp(sub);
    } finally {
      lock.unlock();
    }
  }

  /** Removes a subscription. */
  void detach(Subscription sub) {
    lock.lock();
    try {
      switch (sub.state) {
        case LIVE -> removeLive(sub);
        case CATCHING_UP -> catchingUp.remove(sub);
        case WAITING -> waiting.remove(sub);
        default -> {}
      }
      sub.state = Subscription.State.CLOSED;
      sub.clearPending();
    } finally {
      lock.unlock();
    }
  }

  /** Live subscribers now. */
  int liveCount() {
    lock.lock();
    try {
      return live.size();
    } finally {
      lock.unlock();
    }
  }

  // ---- the live feed

  @Override
  public void onMessage(Message message) {
    boolean collecting = hub.outboxes().collect();
    try {
      lock.lock();
      try {
        if (closed) {
          return;
        }
        if (!initialized || repairing) {
          hold(message);
        } else {
          deliver(message);
        }
      } finally {
        lock.unlock();
      }
    } finally {
      if (collecting) {
        // The first outboxes this message readied, written here rather than handed off.
        hub.outboxes().drainCollected();
      }
    }
  }

  @Override
  public void onResync() {
    lock.lock();
    try {
      if (initialized && !repairing && !closed) {
        repairing = true;
        repair();
      }
    } finally {
      lock.unlock();
    }
  }

  private void hold(Message message) {
    if (held.size() < MAX_HELD) {
      held.add(message);
    } else {
      heldOverflow = true;
    }
  }

  private void deliver(Message m) {
    if (!m.epoch().equals(epoch)) {
      LOG.info(
          "Channel {}: history changed from epoch {} to {}; resetting", name, epoch, m.epoch());
      resetAll(new Position(m.epoch(), m.offset() - 1));
    }
    if (m.offset() <= last) {
      return;
    }
    if (m.offset() > last + 1) {
      repairing = true;
      hold(m);
      repair();
      return;
    }
    last = m.offset();
    if (!live.isEmpty()) {
      EncodedMessage encoded = new EncodedMessage(m);
      for (int i = 0; i < live.size(); i++) {
        live.get(i).connection.offerMessage(live.get(i), encoded);
      }
    }
    for (int i = 0; i < catchingUp.size(); i++) {
      catchingUp.get(i).collect(m);
    }
  }

  private void resetAll(Position head) {
    epoch = head.epoch();
    last = head.offset();
    for (int i = 0; i < live.size(); i++) {
      live.get(i).connection.offerReset(live.get(i), head);
    }
    for (Subscription sub : catchingUp) {
      sub.clearPending();
    }
  }

  private void repair() {
    Position from = new Position(epoch, last);
    outsideLock(
        () ->
            hub.broker()
                .replay(name, from, hub.settings().replayBatchSize())
                .whenComplete(this::onRepair));
  }

  /**
   * Runs a broker call on the executor: the broker may call this route back under its own lock (an
   * in-memory broker's live feed does), so calling the broker while holding the route's lock could
   * deadlock.
   */
  private void outsideLock(Runnable brokerCall) {
    try {
      hub.executor().execute(brokerCall);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.debug("Channel {}: hub closed, broker call dropped", name);
    }
  }

  private void onRepair(Replay replay, Throwable error) {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      if (error != null) {
        LOG.warn("Channel {}: replay to fill a gap failed, retrying: {}", name, error.toString());
        hub.scheduleLater(this::retryRepair, RETRY_MILLIS);
        return;
      }
      if (replay.reset()) {
        LOG.info("Channel {}: history no longer covers offset {}; resetting", name, last);
        resetAll(replay.head());
      } else {
        for (Message m : replay.messages()) {
          if (m.offset() == last + 1 && m.epoch().equals(epoch)) {
            deliver(m);
          }
        }
        if (replay.messages().size() >= hub.settings().replayBatchSize()) {
          repair();
          return;
        }
      }
      repairing = false;
      drainHeld();
    } finally {
      lock.unlock();
    }
  }

  private void retryRepair() {
    lock.lock();
    try {
      if (!closed) {
        repair();
      }
    } finally {
      lock.unlock();
    }
  }

  private void drainHeld() {
    List<Message> messages = new ArrayList<>(held);
    held.clear();
    for (Message m : messages) {
      if (repairing) {
        hold(m);
      } else {
        deliver(m);
      }
    }
    if (heldOverflow && !repairing) {
      // Some live messages were not kept: they are in history, so fetch them from there.
      heldOverflow = false;
      repairing = true;
      repair();
    }
  }

  // ---- catching up

  private void catchUp(Subscription sub) {
    if (sub.state == Subscription.State.CLOSED) {
      return;
    }
    if (!initialized) {
      setState(sub, Subscription.State.WAITING);
      return;
    }
    Position p = sub.position;
    if (p.epoch().equals(epoch)) {
      if (sub.pending != null
          && !sub.pending.isEmpty()
          && sub.pending.peekFirst().offset() <= p.offset() + 1
          && sub.pending.peekLast().offset() == last) {
        for (Message m : sub.pending) {
          if (m.offset() > p.offset()
              && !sub.connection.offerReplayed(sub, new EncodedMessage(m))) {
            sub.connection.whenDrained(() -> resumeCatchUp(sub));
            return;
          }
        }
        goLive(sub);
        return;
      }
      if (p.offset() == last || (p.offset() > last && sub.replayed)) {
        goLive(sub);
        return;
      }
    }
    if (sub.pendingOverflow) {
      sub.clearPending();
    }
    setState(sub, Subscription.State.CATCHING_UP);
    sub.replayed = true;
    outsideLock(
        () ->
            hub.broker()
                .replay(name, p, hub.settings().replayBatchSize())
                .whenComplete((replay, error) -> onCatchUp(sub, replay, error)));
  }

  private void onCatchUp(Subscription sub, Replay replay, Throwable error) {
    lock.lock();
    try {
      if (sub.state == Subscription.State.CLOSED || closed) {
        return;
      }
      if (error != null) {
        LOG.warn("Channel {}: replay for client {} failed: {}", name, sub.member.clientId(), error);
        sub.connection.closeLater(CloseReason.UNAVAILABLE);
        return;
      }
      if (replay.reset()) {
        sub.clearPending();
        sub.connection.offerReset(sub, replay.head());
      } else {
        for (Message m : replay.messages()) {
          if (!sub.connection.offerReplayed(sub, new EncodedMessage(m))) {
            // The client's outbox is half full: go on from here once it has drained.
            sub.connection.whenDrained(() -> resumeCatchUp(sub));
            return;
          }
        }
      }
      boolean levelWithBroker = sub.position.equals(replay.head());
      if (levelWithBroker && !sub.position.epoch().equals(epoch)) {
        // The broker's history moved on before our live feed showed it; the feed's next message
        // of the new epoch resets the route, and this subscriber with it.
        goLive(sub);
        return;
      }
      catchUp(sub);
    } finally {
      lock.unlock();
    }
  }

  private void resumeCatchUp(Subscription sub) {
    lock.lock();
    try {
      if (!closed && sub.state == Subscription.State.CATCHING_UP) {
        catchUp(sub);
      }
    } finally {
      lock.unlock();
    }
  }

  private void goLive(Subscription sub) {
    setState(sub, Subscription.State.LIVE);
    sub.clearPending();
  }

  private void setState(Subscription sub, Subscription.State state) {
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
      }
      case CATCHING_UP -> catchingUp.add(sub);
      case WAITING -> waiting.add(sub);
      default -> {}
    }
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
  }
}
