package dev.herald.push;

import dev.herald.push.spi.BrokerListener;
import dev.herald.push.spi.BrokerSubscription;
import dev.herald.push.spi.CloseReason;
import dev.herald.push.spi.Replay;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
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
 * meanwhile ("repairing").
 *
 * <p>A message of another epoch means the history was lost and started over. It is held like a gap,
 * and the repair asks the broker from the old position: the broker answers with a reset to the
 * start of what the new epoch holds, every live subscriber gets one {@code reset} frame there, and
 * the repair goes on from that start to the head, so every message of the new epoch reaches them
 * once, in order. The live message itself cannot tell where the new epoch starts: the feed may have
 * missed its first messages. Since epochs have no order, a held message of another epoch than the
 * broker's answer is stale if it was held before the replay was asked for (the broker had its epoch
 * then and answered another); one held later may be newer and is looked at again.
 *
 * <p>A new subscriber starts at its own position and catches up by replay while the route keeps
 * delivering live to others; live messages that arrive meanwhile are collected for it. When a
 * replay brings it level with {@code last} (or its collected messages bridge the rest) it joins the
 * live list under the lock, so no message is missed or repeated.
 *
 * <p>Live subscribers get what the route delivers (messages, ephemeral messages, resets) through
 * walks rather than one by one under the lock: under the lock the route only adds an entry to its
 * ring; a walk then visits each live subscriber once and queues and writes everything it has not
 * had yet, so a visit costs one pass over the connection's state however many entries came, and a
 * busy route batches by itself. See {@link Walk} and docs/concurrency.md, rule 7.
 *
 * <p>The route's lock is never held across a broker call, the executor or a sink: code that takes
 * it opens a {@link HandOff} scope first, and the replays, closes and writes it decides on start
 * when the lock is released. Replays run on the hub's executor, complete later on any thread, and
 * take the lock again. Lock order: broker, then route, then connection.
 *
 * <p>States, changed under the lock:
 *
 * <ul>
 *   <li>{@code STARTING}: the broker feed is being set up; live messages are held and new
 *       subscribers wait. {@code → LIVE} once the feed and the head position are known; stays
 *       {@code STARTING} and retries later if that fails.
 *   <li>{@code LIVE}: live messages are delivered as they come. {@code → REPAIRING} on a gap, a
 *       resync from the broker, or held messages that were dropped for space.
 *   <li>{@code REPAIRING}: a replay fills a gap; live messages are held. {@code → LIVE} when the
 *       replay reaches the broker's head and the held messages are delivered.
 *   <li>{@code STOPPED}: the last subscriber left; terminal, from any state.
 * </ul>
 */
final class ChannelRoute implements BrokerListener {
  private static final Logger LOG = LoggerFactory.getLogger(ChannelRoute.class);
  private static final int MAX_HELD = 8192;
  private static final long RETRY_MILLIS = 1000;

  final String name;
  private final Hub hub;
  private final HandOff handOff;
  final ReentrantLock lock = new ReentrantLock();

  /** Subscriptions counted by {@link Hub}'s route map, changed only inside its compute calls. */
  int refs;

  private enum State {
    STARTING,
    LIVE,
    REPAIRING,
    STOPPED
  }

  // Guarded by lock.
  private State state = State.STARTING;
  private String epoch;
  private long last;
  private final ArrayDeque<Message> held = new ArrayDeque<>();

  /** Subscriptions that asked for presence frames ({@link Subscription#presenceCounted}). */
  private int presenceWatchers;

  /** How many of {@code held} were held before the replay in flight was asked for. */
  private int heldBeforeReplay;

  /** Not a state: whether live messages were dropped from {@code held} for lack of space. */
  private boolean heldIncomplete;

  private final RouteSubscribers subscribers = new RouteSubscribers();

  /**
   * What the live subscribers are to be given, in order: {@link EncodedMessage}s, {@link
   * EncodedEphemeral}s and {@link Reset}s. Entry {@code n} (numbered from 0 for the route's life)
   * sits at {@code ring[n & (ring.length - 1)]}; those from {@code freed} to {@code tail} are kept.
   * Written under the lock; read by walks without it: a walk reads {@code tail}, then {@code ring},
   * and the entries before that tail. The ring grows by doubling up to the bound of {@link
   * #entriesFull}; between walks it holds no entry, and one larger than {@link #KEPT_RING} slots is
   * dropped.
   */
  private volatile Object[] ring;

  private volatile long tail;

  /** Entries before this are no longer read by any walk; their slots may be reused. */
  private long freed;

  /** {@code tail} when the running walk started. */
  private long walkStart;

  /**
   * Whether a walk is started, running or due (waiting on the timer); at most one is, and it starts
   * the next.
   */
  private boolean walking;

  /** When the last walk started, in {@link System#nanoTime} units. */
  private long lastWalkStart;

  /** How long the last walk took, in nanoseconds; 0 before the first one ends. */
  private long lastWalkTook;

  /** The number of the wait the next walk is due after; 0 when it is not waiting. */
  private long waiting;

  /** Waits so far, to tell a due wait from one whose walk already started early. */
  private long waits;

  /**
   * The next walk starts no sooner than this many times as long as the last one took, counted from
   * the last one's start, up to the hub's {@code maxBatchDelay}: a busy route delivers at most
   * about a quarter of the time, and what comes meanwhile goes out together, one write per
   * subscriber.
   */
  static final int WALK_SPACING = 4;

  /** A wait shorter than this is not worth the timer's hop: the walk starts at once. */
  static final long MIN_WAIT_NANOS = 1_000_000;

  /** Approximate bytes of the entries kept. */
  private long entryBytes;

  /**
   * Set when the entries are full ({@link #entriesFull}): live messages are held until the running
   * walk ends, as during a repair, and past {@link #MAX_HELD} fetched from history.
   */
  private boolean backlog;

  /** Set when a repair stopped because the entries are full: the next walk goes on with it. */
  private boolean repairAfterWalk;

  /**
   * Entries a walk may take at most: half the outbox's bounds (so a walk never overflows the outbox
   * of a client that reads fine), and at most this many.
   */
  static final int MAX_ENTRIES = 4096;

  /** A ring this small is kept between walks rather than made again for each message. */
  private static final int KEPT_RING = 16;

  /** Bytes counted for an entry on top of its data: about its frame's envelope. */
  private static final int ENTRY_OVERHEAD = 256;

  private final Runnable startWalk = this::startWalk;

  /**
   * Replayed messages with their wire bytes, by offset ({@link #RECENT} slots), so that the
   * subscribers that replay the same messages (a reconnect storm) share one encoding and, for
   * single-channel connections, one frame per message. Made at the first replay once the route has
   * {@link #SHARE_FROM} subscribers, since below that a message is replayed to few; freed with the
   * route. Live delivery neither needs nor fills it (it encodes each message once anyway), so a
   * busy route that nobody replays keeps no message alive here.
   */
  private EncodedMessage[] recent;

  static final int RECENT = 256;
  static final int SHARE_FROM = 8;
  private BrokerSubscription brokerSubscription;

  ChannelRoute(String name, Hub hub) {
    this.name = name;
    this.hub = hub;
    this.handOff = hub.handOff();
  }

  /** Starts the live feed; called once, after the route is in the hub's map. */
  void start() {
    hub.broker()
        .subscribe(name, this)
        .thenCompose(
            sub -> {
              BrokerSubscription unused;
              lock.lock();
              try {
                if (state == State.STOPPED) {
                  unused = sub;
                } else {
                  // A retried start: the feed of the failed attempt would otherwise stay open.
                  unused = brokerSubscription;
                  brokerSubscription = sub;
                }
              } finally {
                lock.unlock();
              }
              if (unused != null) {
                unused.close();
              }
              return hub.broker().position(name);
            })
        .whenComplete(this::onStarted);
  }

  private void onStarted(Position head, Throwable error) {
    underLock(
        () -> {
          if (state != State.STARTING) {
            return;
          }
          if (error != null) {
            LOG.warn("Channel {}: cannot start the live feed: {}", name, error.toString());
            for (Subscription sub : subscribers.waiting) {
              sub.connection.closeLater(CloseReason.UNAVAILABLE);
            }
            hub.scheduleLater(this::start, RETRY_MILLIS);
            return;
          }
          state = State.LIVE;
          epoch = head.epoch();
          last = head.offset();
          drainHeld();
          for (Subscription sub : subscribers.takeWaiting()) {
            catchUp(sub);
          }
        });
  }

  /** Stops the live feed; the hub calls it when the last subscriber left. */
  void stop() {
    BrokerSubscription sub;
    lock.lock();
    try {
      state = State.STOPPED;
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
    underLock(
        () -> {
          if (sub.state == Subscription.State.NEW) {
            countPresenceWatcher(sub);
            catchUp(sub);
          }
        });
  }

  /**
   * Counts a subscription that has just asked for presence frames, unless it is counted already or
   * has left the route; call after setting {@link Subscription#presenceEvents}.
   */
  void watchPresence(Subscription sub) {
    lock.lock();
    try {
      if (sub.state != Subscription.State.CLOSED) {
        countPresenceWatcher(sub);
      }
    } finally {
      lock.unlock();
    }
  }

  private void countPresenceWatcher(Subscription sub) {
    if (sub.presenceEvents && !sub.presenceCounted) {
      sub.presenceCounted = true;
      presenceWatchers++;
    }
  }

  /** Removes a subscription. */
  void detach(Subscription sub) {
    lock.lock();
    try {
      if (sub.presenceCounted) {
        sub.presenceCounted = false;
        presenceWatchers--;
      }
      subscribers.remove(sub);
    } finally {
      lock.unlock();
    }
  }

  /** Live subscribers now. */
  int liveCount() {
    lock.lock();
    try {
      return subscribers.live.size();
    } finally {
      lock.unlock();
    }
  }

  /** Runs the step under the lock, in a hand-off scope: what it decides starts after the lock. */
  private void underLock(Runnable step) {
    handOff.underLock(lock, step);
  }

  // ---- the live feed

  @Override
  public void onMessage(Message message) {
    hub.counters()
        .brokerLag(name, Math.max(0, System.currentTimeMillis() - message.time().toEpochMilli()));
    try (HandOff.Scope scope = handOff.open()) {
      lock.lock();
      try {
        switch (state) {
          case LIVE -> deliver(message);
          case STARTING, REPAIRING -> hold(message);
          case STOPPED -> {}
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * Hands an ephemeral message to the live subscribers, encoded once: not to those still catching
   * up (it would come before the stored messages they are replaying, and it is worth nothing by the
   * time they are level), and never held or replayed. While a gap is repaired, live subscribers
   * still get it at once, ahead of the stored messages held back meanwhile.
   */
  @Override
  public void onEphemeral(EphemeralMessage message) {
    try (HandOff.Scope scope = handOff.open()) {
      lock.lock();
      try {
        if (state == State.STOPPED || state == State.STARTING) {
          return;
        }
        // Dropped if the entries are full: worth nothing by the time a walk that far behind gets to
        // it.
        if (!subscribers.live.isEmpty() && !entriesFull()) {
          EncodedEphemeral encoded = new EncodedEphemeral(message);
          entryBytes += entrySize(encoded);
          append(encoded);
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /** Tells every subscriber that asked for the channel's presence, whatever its state. */
  @Override
  public void onPresence(PresenceEvent event) {
    underLock(
        () -> {
          // Every connection joins, but few ask for presence frames: a storm of joins must not
          // walk every subscriber once per join.
          if (state == State.STOPPED || presenceWatchers == 0) {
            return;
          }
          offerPresence(subscribers.live, event);
          offerPresence(subscribers.catchingUp, event);
          offerPresence(subscribers.waiting, event);
        });
  }

  private static void offerPresence(List<Subscription> subs, PresenceEvent event) {
    for (int i = 0; i < subs.size(); i++) {
      Subscription sub = subs.get(i);
      if (sub.presenceEvents) {
        sub.connection.offerPresence(sub, event);
      }
    }
  }

  @Override
  public void onResync() {
    underLock(
        () -> {
          if (state == State.LIVE) {
            startRepair();
          }
        });
  }

  private void hold(Message message) {
    if (held.size() < MAX_HELD) {
      held.add(message);
    } else {
      heldIncomplete = true;
    }
  }

  private void deliver(Message m) {
    if (backlog || entriesFull()) {
      // The walk is this far behind: hold, as during a repair, rather than grow without bound.
      backlog = true;
      hold(m);
      return;
    }
    if (!m.epoch().equals(epoch)) {
      // Where the new epoch starts is the broker's to say: the repair's answer is a reset there.
      LOG.info("Channel {}: a message of epoch {} while at epoch {}", name, m.epoch(), epoch);
      hold(m);
      startRepair();
      return;
    }
    if (m.offset() <= last) {
      return;
    }
    if (m.offset() > last + 1) {
      hold(m);
      startRepair();
      return;
    }
    last = m.offset();
    if (!subscribers.live.isEmpty()) {
      EncodedMessage encoded = new EncodedMessage(m);
      entryBytes += entrySize(encoded);
      append(encoded);
    }
    List<Subscription> catchingUp = subscribers.catchingUp;
    for (int i = 0; i < catchingUp.size(); i++) {
      catchingUp.get(i).collect(m);
    }
  }

  /**
   * Moves the route to {@code start} and every live subscriber with it. On a change of epoch, one
   * already at or past {@code start} in the new epoch (its own catch-up got there first) keeps its
   * place: it has lost nothing, and a second reset would tell it to reload for nothing.
   */
  private void resetAll(Position start) {
    boolean newEpoch = !start.epoch().equals(epoch);
    epoch = start.epoch();
    last = start.offset();
    if (!subscribers.live.isEmpty()) {
      entryBytes += ENTRY_OVERHEAD;
      append(new Reset(start, newEpoch));
    }
    for (Subscription sub : subscribers.catchingUp) {
      sub.clearPending();
    }
  }

  /** {@code LIVE → REPAIRING}: holds live messages and replays from {@code last}. */
  private void startRepair() {
    state = State.REPAIRING;
    repair();
  }

  private void repair() {
    Position from = new Position(epoch, last);
    heldBeforeReplay = held.size();
    // On the executor once the lock is released: the broker may call this route back under its own
    // lock (an in-memory broker's live feed does), so calling it under the route's lock could
    // deadlock.
    handOff.execute(
        () ->
            hub.broker()
                .replay(name, from, hub.settings().replayBatchSize())
                .whenComplete(this::onRepair));
  }

  private void onRepair(Replay replay, Throwable error) {
    if (replay != null) {
      hub.counters().replayed(name, replay.messages().size());
    }
    underLock(
        () -> {
          if (state != State.REPAIRING) {
            return;
          }
          if (error != null) {
            LOG.warn(
                "Channel {}: replay to fill a gap failed, retrying: {}", name, error.toString());
            hub.scheduleLater(this::retryRepair, RETRY_MILLIS);
            return;
          }
          dropStaleHeld(replay.head().epoch());
          if (replay.reset()) {
            LOG.info(
                "Channel {}: history no longer covers {}/{}; resetting to {}/{}",
                name,
                epoch,
                last,
                replay.start().epoch(),
                replay.start().offset());
            resetAll(replay.start());
            if (last < replay.head().offset()) {
              // Hand over what the history holds from there before going live.
              repair();
              return;
            }
          } else {
            for (Message m : replay.messages()) {
              if (m.offset() == last + 1 && m.epoch().equals(epoch)) {
                if (entriesFull()) {
                  // The walk is behind: go on from last once it has taken these.
                  repairAfterWalk = true;
                  return;
                }
                deliver(m);
              }
            }
            if (replay.messages().size() >= hub.settings().replayBatchSize()) {
              repair();
              return;
            }
          }
          state = State.LIVE;
          drainHeld();
        });
  }

  /**
   * Drops held messages of another epoch than the broker's, among those held before the replay was
   * asked for: the broker had their epoch by then, so it is behind it.
   */
  private void dropStaleHeld(String brokerEpoch) {
    int n = Math.min(heldBeforeReplay, held.size());
    heldBeforeReplay = 0;
    if (n == 0) {
      return;
    }
    List<Message> kept = new ArrayList<>(held.size());
    int i = 0;
    for (Message m : held) {
      if (i++ >= n || m.epoch().equals(brokerEpoch)) {
        kept.add(m);
      }
    }
    held.clear();
    held.addAll(kept);
  }

  private void retryRepair() {
    underLock(
        () -> {
          if (state == State.REPAIRING) {
            repair();
          }
        });
  }

  /** Delivers the held messages; in {@code LIVE}, and a gap among them starts a repair. */
  private void drainHeld() {
    List<Message> messages = new ArrayList<>(held);
    held.clear();
    for (Message m : messages) {
      if (state == State.REPAIRING) {
        hold(m);
      } else {
        deliver(m);
      }
    }
    if (heldIncomplete && state == State.LIVE) {
      // Some live messages were not kept: they are in history, so fetch them from there.
      heldIncomplete = false;
      startRepair();
    }
  }

  /** A replayed message with its wire bytes: shared through {@link #recent}. Lock held. */
  private EncodedMessage replayed(Message m) {
    EncodedMessage[] r = recent;
    if (r == null) {
      if (subscribers.live.size() + subscribers.catchingUp.size() < SHARE_FROM) {
        return new EncodedMessage(m);
      }
      recent = r = new EncodedMessage[RECENT];
    }
    int i = (int) (m.offset() & (RECENT - 1));
    EncodedMessage e = r[i];
    if (e == null || e.message.offset() != m.offset() || !e.message.epoch().equals(m.epoch())) {
      r[i] = e = new EncodedMessage(m);
    }
    return e;
  }

  // ---- the walk: one visit per live subscriber for everything it is to be given

  /** A reset of every live subscriber to {@code start}, as an entry of the walk. */
  record Reset(Position start, boolean newEpoch) {}

  /** Whether a walk is as far behind as it may be. Lock held. */
  private boolean entriesFull() {
    return tail - freed >= maxEntries() || entryBytes >= hub.settings().maxQueuedBytes() / 2;
  }

  private int maxEntries() {
    return Math.min(MAX_ENTRIES, Math.max(1, hub.settings().maxQueuedFrames() / 2));
  }

  /** Adds an entry for the live subscribers and starts a walk unless one is running. Lock held. */
  private void append(Object entry) {
    Object[] r = ring;
    long n = tail;
    if (r == null || n - freed == r.length) {
      r = grow(r, n);
    }
    r[(int) n & (r.length - 1)] = entry;
    tail = n + 1;
    if (!walking) {
      walking = true;
      long wait = walkDelay();
      if (wait < MIN_WAIT_NANOS) {
        handOff.afterUnlock(startWalk);
      } else {
        waitFor(wait);
      }
    } else if (waiting != 0 && enoughWaiting()) {
      // Enough to go out together: waiting longer would only bring the entries' bound nearer.
      waiting = 0;
      handOff.afterUnlock(startWalk);
    }
  }

  /**
   * Whether the entries waiting for the next walk reach a quarter of what a walk may take, by count
   * or by bytes: it then starts without waiting for the spacing. Lock held.
   */
  private boolean enoughWaiting() {
    return tail - freed >= maxEntries() / 4 || entryBytes >= hub.settings().maxQueuedBytes() / 8;
  }

  /**
   * Nanoseconds until the next walk is due: {@link #WALK_SPACING} times the last walk's length
   * after its start, at most {@code maxBatchDelay}. Lock held.
   */
  private long walkDelay() {
    long max = hub.settings().maxBatchDelay().toNanos();
    if (max == 0 || lastWalkTook == 0) {
      return 0;
    }
    long spacing = Math.min(max, lastWalkTook * WALK_SPACING);
    // A short walk (a small channel) never waits: no clock read on its path.
    return spacing < MIN_WAIT_NANOS ? 0 : lastWalkStart + spacing - System.nanoTime();
  }

  /** Starts the next walk on the executor once {@code nanos} have passed. Lock held. */
  private void waitFor(long nanos) {
    long wait = ++waits;
    waiting = wait;
    long millis = (nanos + 999_999) / 1_000_000;
    handOff.afterUnlock(() -> hub.scheduleLater(() -> walkDue(wait), millis));
  }

  /** A wait is over: starts the walk unless it started early. With no lock held. */
  private void walkDue(long wait) {
    Walk walk;
    try (HandOff.Scope scope = handOff.open()) {
      lock.lock();
      try {
        if (waiting != wait) {
          return;
        }
        waiting = 0;
        walk = nextWalk();
      } finally {
        lock.unlock();
      }
    }
    if (walk != null) {
      walk.run();
    }
  }

  /**
   * A ring with room for one more entry, the kept ones copied to their slots; published before the
   * tail that first counts an entry in it. Lock held.
   */
  private Object[] grow(Object[] old, long n) {
    Object[] r = new Object[old == null ? 8 : old.length * 2];
    for (long i = freed; i < n; i++) {
      r[(int) i & (r.length - 1)] = old[(int) i & (old.length - 1)];
    }
    ring = r;
    return r;
  }

  private static long entrySize(Object entry) {
    if (entry instanceof EncodedMessage m) {
      return m.message.data().length() + ENTRY_OVERHEAD;
    }
    if (entry instanceof EncodedEphemeral e) {
      return e.message.data().length() + ENTRY_OVERHEAD;
    }
    return ENTRY_OVERHEAD;
  }

  /** Starts a walk; with no lock held. */
  private void startWalk() {
    Walk walk;
    try (HandOff.Scope scope = handOff.open()) {
      lock.lock();
      try {
        walk = nextWalk();
      } finally {
        lock.unlock();
      }
    }
    if (walk != null) {
      walk.run();
    }
  }

  /**
   * A walk ended: every live subscriber has the entries before its start, so they are freed, and
   * the next walk starts on a drainer if entries came meanwhile. No lock held.
   */
  private void walkDone() {
    try (HandOff.Scope scope = handOff.open()) {
      lock.lock();
      try {
        free(walkStart);
        lastWalkTook = Math.max(1, System.nanoTime() - lastWalkStart);
        long wait =
            tail > freed && !repairAfterWalk && !backlog && !enoughWaiting() ? walkDelay() : 0;
        if (wait >= MIN_WAIT_NANOS) {
          waitFor(wait);
        } else {
          Walk next = nextWalk();
          if (next != null) {
            handOff.handOver(next);
          }
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /** Frees the entries before {@code upTo}. Lock held. */
  private void free(long upTo) {
    Object[] r = ring;
    for (long i = freed; i < upTo; i++) {
      int slot = (int) i & (r.length - 1);
      entryBytes -= entrySize(r[slot]);
      r[slot] = null;
    }
    freed = upTo;
  }

  /**
   * The next walk over the live subscribers, from the entries kept; {@code null}, no walk running
   * and no ring kept, if there is nothing to walk. Lock held.
   */
  private Walk nextWalk() {
    // First what waited for this walk's end; a repair goes on later, on the executor.
    if (repairAfterWalk) {
      repairAfterWalk = false;
      if (state == State.REPAIRING) {
        repair();
      }
    }
    if (backlog) {
      backlog = false;
      if (state == State.LIVE) {
        drainHeld();
      }
    }
    if (tail > freed && !subscribers.live.isEmpty()) {
      // Each of them gets at least up to here; one that goes live later is there already.
      walkStart = tail;
      lastWalkStart = System.nanoTime();
      return new Walk(this, subscribers.liveSnapshot());
    }
    free(tail);
    walking = false;
    if (ring != null && ring.length > KEPT_RING) {
      ring = null;
    }
    return null;
  }

  /**
   * One walk: each live subscriber of its start visited once ({@link ConnectionImpl#walk}) and
   * given every entry it has not had, up to the tail at its visit, so that one visited late also
   * gets what came during the walk. The first {@link HandOff#INLINE} subscribers are visited on the
   * thread that starts it, the others by drainers in parts of {@link Outboxes#BATCH}; the part that
   * ends last ends the walk.
   */
  static final class Walk extends Outboxes.Work {
    private final ChannelRoute route;
    private final Subscription[] subs;
    private final AtomicInteger parts = new AtomicInteger();

    Walk(ChannelRoute route, Subscription[] subs) {
      this.route = route;
      this.subs = subs;
    }

    @Override
    int run() {
      int inline = Math.min(subs.length, HandOff.INLINE);
      int rest = subs.length - inline;
      int count = (rest + Outboxes.BATCH - 1) / Outboxes.BATCH;
      parts.set(count + 1);
      try (HandOff.Scope scope = route.handOff.open()) {
        for (int from = inline; from < subs.length; from += Outboxes.BATCH) {
          route.handOff.handOver(
              new Part(this, from, Math.min(subs.length, from + Outboxes.BATCH)));
        }
      }
      visit(0, inline);
      return inline;
    }

    /** Visits the subscribers from {@code from} to {@code to}, then counts the part done. */
    void visit(int from, int to) {
      try (HandOff.Scope scope = route.handOff.open()) {
        for (int i = from; i < to; i++) {
          Subscription sub = subs[i];
          // The tail first: the ring read after it holds every entry before it.
          long t = route.tail;
          Object[] r = route.ring;
          try {
            sub.connection.walk(sub, r, t);
          } catch (RuntimeException e) {
            // Not expected; the client resumes from its cursor elsewhere rather than miss these.
            LOG.warn(
                "Channel {}: delivery to client {} failed", route.name, sub.member.clientId(), e);
            sub.connection.closeLater(CloseReason.UNAVAILABLE);
          }
        }
      } finally {
        if (parts.decrementAndGet() == 0) {
          route.walkDone();
        }
      }
    }
  }

  /** The subscribers of a walk from {@code from} to {@code to}, visited by a drainer. */
  private static final class Part extends Outboxes.Work {
    private final Walk walk;
    private final int from;
    private final int to;

    Part(Walk walk, int from, int to) {
      this.walk = walk;
      this.from = from;
      this.to = to;
    }

    @Override
    int run() {
      walk.visit(from, to);
      return to - from;
    }
  }

  // ---- catching up

  private void catchUp(Subscription sub) {
    if (sub.state == Subscription.State.CLOSED) {
      return;
    }
    if (state == State.STARTING) {
      subscribers.move(sub, Subscription.State.WAITING);
      return;
    }
    Position p = sub.position;
    if (p.epoch().equals(epoch)) {
      if (sub.pending != null
          && !sub.pending.isEmpty()
          && sub.pending.peekFirst().offset() <= p.offset() + 1
          && sub.pending.peekLast().offset() == last) {
        for (Message m : sub.pending) {
          if (m.offset() > p.offset() && !sub.connection.offerReplayed(sub, replayed(m))) {
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
    subscribers.move(sub, Subscription.State.CATCHING_UP);
    sub.replayed = true;
    // On the executor once the lock is released, as in repair().
    handOff.execute(
        () ->
            hub.broker()
                .replay(name, p, hub.settings().replayBatchSize())
                .whenComplete((replay, error) -> onCatchUp(sub, replay, error)));
  }

  private void onCatchUp(Subscription sub, Replay replay, Throwable error) {
    if (replay != null) {
      hub.counters().replayed(name, replay.messages().size());
    }
    underLock(() -> onCatchUpLocked(sub, replay, error));
  }

  private void onCatchUpLocked(Subscription sub, Replay replay, Throwable error) {
    if (sub.state == Subscription.State.CLOSED || state == State.STOPPED) {
      return;
    }
    if (error != null) {
      LOG.warn(
          "Channel {}: replay for client {} failed: {}",
          name,
          sub.member.clientId(),
          error.toString());
      sub.connection.closeLater(CloseReason.UNAVAILABLE);
      return;
    }
    if (replay.reset()) {
      // The messages after the reset's start come with the next replay, as for any position.
      sub.clearPending();
      sub.connection.offerReset(sub, replay.start());
      resumed(sub, false);
    } else {
      for (Message m : replay.messages()) {
        if (!sub.connection.offerReplayed(sub, replayed(m))) {
          // The client's outbox is half full: go on from here once it has drained.
          sub.connection.whenDrained(() -> resumeCatchUp(sub));
          return;
        }
      }
    }
    boolean levelWithBroker = sub.position.equals(replay.head());
    if (levelWithBroker && !sub.position.epoch().equals(epoch)) {
      // The broker's history moved on before our live feed showed it; the feed's next message
      // of the new epoch resets the route to where this subscriber already is, or before it.
      goLive(sub);
      return;
    }
    catchUp(sub);
  }

  private void resumeCatchUp(Subscription sub) {
    underLock(
        () -> {
          if (state != State.STOPPED && sub.state == Subscription.State.CATCHING_UP) {
            catchUp(sub);
          }
        });
  }

  private void goLive(Subscription sub) {
    // It has every message up to last: the entries kept are behind it.
    sub.walked = tail - 1;
    subscribers.move(sub, Subscription.State.LIVE);
    sub.clearPending();
    resumed(sub, true);
  }

  /** Counts a resume's outcome once, after the lock: the observer is the application's code. */
  private void resumed(Subscription sub, boolean recovered) {
    if (sub.resuming) {
      sub.resuming = false;
      handOff.afterUnlock(() -> hub.counters().resumed(name, recovered));
    }
  }
}
