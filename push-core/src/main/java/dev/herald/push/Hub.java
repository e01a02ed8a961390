package dev.herald.push;

import dev.herald.push.spi.Broker;
import dev.herald.push.spi.BrokerHealth;
import dev.herald.push.spi.CloseReason;
import dev.herald.push.spi.Connection;
import dev.herald.push.spi.FrameSink;
import dev.herald.push.spi.PresenceOptions;
import dev.herald.push.spi.WireFormat;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine behind {@code PushHub}: connections, channel routes, client publish, presence and the
 * timers. Thread-safe.
 */
final class Hub {
  private static final Logger LOG = LoggerFactory.getLogger(Hub.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ID_CHARS =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
  private static final AtomicInteger HUBS = new AtomicInteger();

  private final HubSettings settings;
  private final Executor executor;
  private final ExecutorService ownExecutor;
  private final HandOff handOff;
  private final ScheduledExecutorService timer;
  private final SerialExecutor presenceDispatch;
  private final ConcurrentHashMap<String, ChannelRoute> routes = new ConcurrentHashMap<>();
  private final Set<ConnectionImpl> connections = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final HubCounters counters;
  private final ConnectionLimits limits;
  private volatile BrokerHealth brokerHealth;
  private final CompletableFuture<Integer> drained = new CompletableFuture<>();
  private final AtomicBoolean draining = new AtomicBoolean();

  /** What a client refused by a draining or closed hub is told to wait. */
  static final Duration RETRY_AFTER = Duration.ofSeconds(2);

  /** How often a drain closes its next share of connections. */
  private static final long DRAIN_TICK_MILLIS = 10;

  /** Starts a hub with validated settings. */
  Hub(HubSettings settings) {
    this.settings = settings;
    int n = HUBS.incrementAndGet();
    if (settings.executor() == null) {
      int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
      ownExecutor = Executors.newFixedThreadPool(threads, daemon("herald-" + n + "-dispatch-"));
      executor = ownExecutor;
    } else {
      ownExecutor = null;
      executor = settings.executor();
    }
    // One drainer per processor: sinks never block, so more would only take turns on a core, and
    // a drainer that loses its core inside a connection's lock makes the next one wait for it.
    // On the hub's own pool a drainer yields only to tasks that wait for a thread; on an executor
    // handed in, whose queue the hub cannot see, after every part.
    int drainers = Math.max(1, Runtime.getRuntime().availableProcessors());
    Outboxes outboxes =
        ownExecutor instanceof ThreadPoolExecutor pool
            ? new Outboxes(executor, drainers, () -> !pool.getQueue().isEmpty())
            : new Outboxes(executor, drainers);
    handOff = new HandOff(executor, outboxes);
    timer = Executors.newSingleThreadScheduledExecutor(daemon("herald-" + n + "-timer-"));
    presenceDispatch = new SerialExecutor(executor);
    long beat = settings.heartbeatInterval().toMillis();
    timer.scheduleAtFixedRate(this::heartbeat, beat, beat, TimeUnit.MILLISECONDS);
    counters = new HubCounters(settings.observer());
    limits =
        new ConnectionLimits(
            settings.maxConnections(),
            settings.maxConnectionsPerAddress(),
            settings.openRate(),
            settings.openBurst(),
            ConnectionLimits.maxTrackedAddresses(settings.maxConnections()),
            System::nanoTime,
            counters);
    timer.scheduleAtFixedRate(limits::sweep, 1, 1, TimeUnit.SECONDS);
    if (settings.broker() instanceof InMemoryBroker memory) {
      timer.scheduleAtFixedRate(memory::maybeSweep, 1, 1, TimeUnit.SECONDS);
    }
    brokerHealth = settings.broker().health();
    settings.broker().watchHealth(this::onBrokerHealth);
    LOG.info(
        "Herald hub {} started: broker {} ({}: {}), heartbeat every {} ms, outbox {} frames or {}"
            + " bytes then {}, a busy channel's messages gathered for at most {} ms, at most {}"
            + " channels per connection, {} KiB per message, client messages on {}, connections at"
            + " most {} ({} per client address, opened at {}/s with bursts of {})",
        n,
        settings.broker().getClass().getSimpleName(),
        brokerHealth.status(),
        brokerHealth.detail(),
        beat,
        settings.maxQueuedFrames(),
        settings.maxQueuedBytes(),
        settings.overflowPolicy(),
        settings.maxBatchDelay().toMillis(),
        settings.maxChannelsPerConnection(),
        settings.codec().maxBytes() / 1024,
        settings.clientRules().isEmpty()
            ? "no channel"
            : settings.clientRules().stream().map(HubSettings.ClientRule::pattern).toList(),
        limitText(settings.maxConnections()),
        limitText(settings.maxConnectionsPerAddress()),
        limitText(settings.openRate()),
        limitText(settings.openBurst()));
  }

  private static String limitText(int limit) {
    return limit == ConnectionLimits.UNLIMITED ? "unlimited" : String.valueOf(limit);
  }

  HubCounters counters() {
    return counters;
  }

  public HubSettings settings() {
    return settings;
  }

  public Broker broker() {
    return settings.broker();
  }

  /** Where work decided under a connection's or a route's lock is started after it. */
  HandOff handOff() {
    return handOff;
  }

  Executor executor() {
    return executor;
  }

  /** Runs the task on the executor after a delay; the timer thread only hands it over. */
  void scheduleLater(Runnable task, long millis) {
    if (!closed.get()) {
      try {
        timer.schedule(() -> handOff.executeNow(task), millis, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        LOG.debug("The hub is closed: a timer was dropped");
      }
    }
  }

  // ---- connections

  /** A connection without presence; see {@link dev.herald.push.spi.TransportContext#connect}. */
  public Connection connect(
      Client client, WireFormat format, FrameSink sink, Collection<String> channels, Cursor since) {
    return connect(client, format, sink, channels, since, null, Set.of());
  }

  /** See {@link dev.herald.push.spi.TransportContext#connect}. */
  public Connection connect(
      Client client,
      WireFormat format,
      FrameSink sink,
      Collection<String> channels,
      Cursor since,
      String memberData,
      Set<String> presenceChannels) {
    if (closed.get()) {
      throw new PushException(ErrorCode.UNAVAILABLE, "the hub is closed", RETRY_AFTER);
    }
    if (draining.get()) {
      throw new PushException(
          ErrorCode.UNAVAILABLE, "the server is draining; connect to another", RETRY_AFTER);
    }
    ConnectionImpl connection = new ConnectionImpl(this, client, format, sink);
    int max = settings.maxChannelsPerConnection();
    if (channels.size() > max) {
      throw new PushException(
          ErrorCode.TOO_MANY_CHANNELS,
          "a connection may hold at most " + max + " channels, asked for " + channels.size());
    }
    Set<String> distinct = new HashSet<>();
    for (String channel : channels) {
      connection.checkSubscribe(channel, memberData);
      if (!distinct.add(channel)) {
        throw new PushException(ErrorCode.BAD_REQUEST, "channel " + channel + " is named twice");
      }
    }
    for (String channel : presenceChannels) {
      if (!distinct.contains(channel)) {
        throw new PushException(
            ErrorCode.BAD_REQUEST,
            "presence asked for channel " + channel + ", which is not among the channels");
      }
    }
    limits.acquire(client.remoteAddress(), format);
    connections.add(connection);
    counters.connectionOpened(format);
    LOG.debug("Client {} connected over {} to {}", client.id(), format, channels);
    List<CompletableFuture<Subscription>> prepared = new ArrayList<>();
    for (String channel : channels) {
      Cursor cursor = since == null ? Cursor.empty() : since;
      prepared.add(
          connection
              .prepare(
                  channel,
                  cursor.position(channel),
                  new PresenceOptions(memberData, presenceChannels.contains(channel)))
              .toCompletableFuture());
    }
    CompletableFuture.allOf(prepared.toArray(CompletableFuture[]::new))
        .whenComplete(
            (ignored, error) -> {
              if (error != null) {
                connection.failAndClose(unavailable(error), CloseReason.UNAVAILABLE);
                return;
              }
              connection.sendReady();
              for (CompletableFuture<Subscription> f : prepared) {
                Subscription sub = f.join();
                if (sub != null) {
                  connection.start(sub);
                }
              }
            });
    if (closed.get()) {
      connection.close(CloseReason.SHUTDOWN);
    } else if (draining.get()) {
      connection.close(CloseReason.RESTART);
    }
    return connection;
  }

  /** Closes every open connection with the reason; returns how many. */
  public int disconnectAll(CloseReason reason) {
    int n = 0;
    for (ConnectionImpl c : new ArrayList<>(connections)) {
      c.close(reason);
      n++;
    }
    return n;
  }

  void removeConnection(ConnectionImpl connection) {
    if (connections.remove(connection)) {
      limits.release(connection.client().remoteAddress());
    }
  }

  /** The caps on connections and the rate of opens. */
  ConnectionLimits limits() {
    return limits;
  }

  public int connectionCount() {
    return connections.size();
  }

  private void heartbeat() {
    for (ConnectionImpl c : connections) {
      if (c.format().heartbeats()) {
        c.heartbeat();
      }
    }
  }

  /**
   * A new random client id: 16 characters drawn uniformly from {@link #ID_CHARS}, about 95 bits. A
   * byte's low six bits pick a character; 62 and 63 are drawn again. The bytes come from {@code
   * SecureRandom}, drawn {@value RandomBytes#SIZE} at a time per thread ({@link RandomBytes}): each
   * call of the default {@code SecureRandom} takes a lock, mixes a digest and, on Linux, mostly
   * reads {@code /dev/urandom} with a system call of its own, and an HTTP publish makes an id every
   * time.
   */
  public static String newClientId() {
    char[] id = new char[16];
    RandomBytes random = RANDOM_BYTES.get();
    for (int i = 0; i < id.length; ) {
      int pick = random.next() & 0x3F;
      if (pick < ID_CHARS.length) {
        id[i++] = ID_CHARS[pick];
      }
    }
    return new String(id);
  }

  private static final ThreadLocal<RandomBytes> RANDOM_BYTES =
      ThreadLocal.withInitial(RandomBytes::new);

  /**
   * One thread's secure random bytes not used yet, enough for about 60 ids: each byte is handed out
   * once. Not thread-safe: one per thread.
   */
  private static final class RandomBytes {
    static final int SIZE = 1024;
    private final byte[] bytes = new byte[SIZE];
    private int used = SIZE;

    int next() {
      if (used == SIZE) {
        RANDOM.nextBytes(bytes);
        used = 0;
      }
      return bytes[used++];
    }
  }

  /** Whether this thread holds a connection's or a route's lock; for tests of the lock contract. */
  boolean holdsAnyLock() {
    return connections.stream().anyMatch(ConnectionImpl::holdsLock)
        || routes.values().stream().anyMatch(r -> r.lock.isHeldByCurrentThread());
  }

  // ---- routes

  ChannelRoute acquireRoute(String channel) {
    boolean[] created = new boolean[1];
    ChannelRoute route =
        routes.compute(
            channel,
            (name, existing) -> {
              ChannelRoute r = existing;
              if (r == null) {
                r = new ChannelRoute(name, this);
                created[0] = true;
              }
              r.refs++;
              return r;
            });
    if (created[0]) {
      route.start();
    }
    return route;
  }

  void releaseRoute(ChannelRoute route) {
    boolean[] removed = new boolean[1];
    routes.computeIfPresent(
        route.name,
        (name, r) -> {
          if (r != route) {
            return r;
          }
          if (--r.refs == 0) {
            removed[0] = true;
            return null;
          }
          return r;
        });
    if (removed[0]) {
      route.stop();
    }
  }

  /** Local live subscribers of the channel. */
  public int subscriberCount(String channel) {
    ChannelRoute route = routes.get(channel);
    return route == null ? 0 : route.liveCount();
  }

  /** Channels with local subscribers. */
  public int activeChannels() {
    return routes.size();
  }

  // ---- presence

  void joined(Subscription sub) {
    if (sub.join()) {
      settings.broker().join(sub.channel, sub.member);
      firePresence(new PresenceEvent(sub.channel, PresenceEvent.Kind.JOIN, sub.member));
    }
  }

  void left(Subscription sub) {
    if (sub.leave()) {
      settings.broker().leave(sub.channel, sub.member);
      firePresence(new PresenceEvent(sub.channel, PresenceEvent.Kind.LEAVE, sub.member));
    }
  }

  private void firePresence(PresenceEvent event) {
    for (PresenceListener listener : settings.presenceListeners()) {
      try {
        presenceDispatch.execute(() -> listener.onPresence(event));
      } catch (RejectedExecutionException e) {
        return;
      }
    }
  }

  // ---- publish

  /** Publishes on the server's behalf: no authorizer, no handler. */
  public CompletionStage<Message> publish(String channel, String event, String data) {
    Names.checkChannel(channel);
    Names.checkEvent(event);
    if (closed.get()) {
      return CompletableFuture.failedFuture(
          new PushException(ErrorCode.UNAVAILABLE, "the hub is closed"));
    }
    return timed(channel, event, data, null);
  }

  /** Publishes an ephemeral message on the server's behalf: no authorizer, no handler. */
  public CompletionStage<Void> publishEphemeral(String channel, String event, String data) {
    Names.checkChannel(channel);
    Names.checkEvent(event);
    if (closed.get()) {
      return CompletableFuture.failedFuture(
          new PushException(ErrorCode.UNAVAILABLE, "the hub is closed"));
    }
    return sendEphemeral(new EphemeralMessage(channel, event, data, now(), null));
  }

  private CompletionStage<Void> sendEphemeral(EphemeralMessage message) {
    CompletionStage<Void> sent;
    try {
      sent = settings.broker().publishEphemeral(message);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    return sent.exceptionallyCompose(e -> CompletableFuture.failedFuture(unavailable(e)));
  }

  /** Now, in milliseconds, as the wire format shows times. */
  private static java.time.Instant now() {
    return java.time.Instant.ofEpochMilli(System.currentTimeMillis());
  }

  /** Hands the message to the broker, counting the outcome and the broker's time. */
  private CompletionStage<Message> timed(
      String channel, String event, String data, String publisherId) {
    long start = System.nanoTime();
    return settings
        .broker()
        .publish(channel, event, data, publisherId)
        .whenComplete(
            (message, error) ->
                counters.published(channel, error == null, System.nanoTime() - start))
        // Fails with the PushException itself, not wrapped, as the stage did before counting.
        .exceptionallyCompose(e -> CompletableFuture.failedFuture(unavailable(e)));
  }

  /**
   * Publishes a client's message through the channel's rule, the authorizer and the handler. The
   * checks that need no application code throw at once; the stage fails for the rest.
   */
  public CompletionStage<Publication> clientPublish(
      Client client, String channel, String event, String data, Boolean ephemeral) {
    Names.checkChannel(channel);
    Names.checkEvent(event);
    HubSettings.ClientRule rule = settings.clientRule(channel);
    if (rule == null) {
      LOG.info(
          "Client {} tried to publish to {}, which takes no client messages", client.id(), channel);
      throw new PushException(
          ErrorCode.FORBIDDEN, "channel " + channel + " does not accept client messages");
    }
    boolean allowed;
    try {
      allowed = settings.authorizer().canPublish(client, channel);
    } catch (RuntimeException e) {
      LOG.warn("Authorizer failed for client {} on channel {}", client.id(), channel, e);
      throw new PushException(ErrorCode.INTERNAL, "authorization failed");
    }
    if (!allowed) {
      LOG.info("Client {} (user {}) may not publish to {}", client.id(), client.user(), channel);
      throw new PushException(ErrorCode.FORBIDDEN, "not allowed to publish to " + channel);
    }
    if (closed.get()) {
      throw new PushException(ErrorCode.UNAVAILABLE, "the hub is closed");
    }
    boolean live = ephemeral != null ? ephemeral : settings.ephemeralByDefault(channel);
    ClientMessage message =
        ClientMessage.create(client, channel, event, data, settings.codec(), live);
    if (rule.handler() == ClientMessageHandler.PASS_THROUGH) {
      // No application code to keep off the caller's thread: publish from it, as Channel.publish
      // does, rather than wake a dispatcher for every client message.
      return publishHandled(message, client.id());
    }
    return CompletableFuture.supplyAsync(() -> handle(rule, message), executor)
        .thenCompose(handled -> publishHandled(handled, client.id()));
  }

  private CompletionStage<Publication> publishHandled(ClientMessage handled, String publisherId) {
    if (handled.ephemeral()) {
      EphemeralMessage m =
          new EphemeralMessage(
              handled.channel(), handled.event(), handled.data(), now(), publisherId);
      return sendEphemeral(m).thenApply(sent -> m);
    }
    return timed(handled.channel(), handled.event(), handled.data(), publisherId)
        .thenApply(Publication.class::cast);
  }

  private static ClientMessage handle(HubSettings.ClientRule rule, ClientMessage message) {
    ClientMessage handled;
    try {
      handled = rule.handler().handle(message);
    } catch (PushException e) {
      throw e;
    } catch (RuntimeException e) {
      LOG.warn("The handler of {} failed", message.channel(), e);
      throw new PushException(ErrorCode.INTERNAL, "the channel's handler failed");
    }
    if (handled == null) {
      throw new PushException(ErrorCode.INTERNAL, "the channel's handler returned nothing");
    }
    return handled;
  }

  /** The failure as a {@code PushException}: itself, or {@code UNAVAILABLE} for anything else. */
  public static PushException unavailable(Throwable error) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof PushException push) {
      return push;
    }
    return new PushException(ErrorCode.UNAVAILABLE, "the message broker is unavailable", e);
  }

  // ---- lifecycle

  public boolean isClosed() {
    return closed.get();
  }

  // ---- health and drain

  HubStats stats() {
    return counters.snapshot(brokerHealth);
  }

  HubHealth health() {
    BrokerHealth broker = brokerHealth;
    HealthStatus status =
        closed.get() || draining.get() ? HealthStatus.DOWN : HealthStatus.UP.and(broker.status());
    return new HubHealth(status, broker, draining.get(), closed.get(), connections.size());
  }

  private void onBrokerHealth(BrokerHealth current) {
    BrokerHealth previous;
    synchronized (draining) {
      previous = brokerHealth;
      if (previous.equals(current)) {
        return;
      }
      brokerHealth = current;
    }
    if (current.status() == HealthStatus.UP) {
      LOG.info("Broker is {} again: {}", current.status(), current.detail());
    } else {
      LOG.warn("Broker is {}: {}", current.status(), current.detail());
    }
    counters.brokerHealthChanged(previous, current);
  }

  boolean isDraining() {
    return draining.get();
  }

  /** See {@code PushHub.drain}. */
  CompletionStage<Integer> drain(Duration window) {
    if (!draining.compareAndSet(false, true)) {
      return drained;
    }
    List<ConnectionImpl> open = new ArrayList<>(connections);
    Collections.shuffle(open);
    long windowMillis = window.toMillis();
    CloseReason reason = CloseReason.RESTART.withRetry(Math.max(100, Math.min(1000, windowMillis)));
    counters.drainStarted(open.size(), window);
    LOG.info(
        "Draining {} connections over {} ms; new connections are refused",
        open.size(),
        windowMillis);
    long start = System.nanoTime();
    if (open.isEmpty() || windowMillis == 0) {
      for (ConnectionImpl c : open) {
        drainOne(c, reason);
      }
      drainDone(open.size(), start);
      return drained;
    }
    Drain drain = new Drain(open, reason, windowMillis, start);
    try {
      drain.start(timer);
    } catch (RejectedExecutionException e) {
      drainDone(0, start);
    }
    return drained;
  }

  /**
   * Closes a drain's connections a share at a time: by each tick, as many as the elapsed part of
   * the window calls for. Runs on the timer thread; the closes run on the executor.
   */
  private final class Drain implements Runnable {
    private final List<ConnectionImpl> open;
    private final CloseReason reason;
    private final long windowMillis;
    private final long start;
    private int next;
    private ScheduledFuture<?> tick;

    Drain(List<ConnectionImpl> open, CloseReason reason, long windowMillis, long start) {
      this.open = open;
      this.reason = reason;
      this.windowMillis = windowMillis;
      this.start = start;
    }

    synchronized void start(ScheduledExecutorService timer) {
      tick = timer.scheduleAtFixedRate(this, 0, DRAIN_TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void run() {
      long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      long due = Math.min(open.size(), (open.size() * elapsed + windowMillis - 1) / windowMillis);
      while (next < due) {
        ConnectionImpl c = open.get(next++);
        handOff.executeNow(() -> drainOne(c, reason));
      }
      if (next == open.size()) {
        tick.cancel(false);
        drainDone(open.size(), start);
      }
    }
  }

  private void drainOne(ConnectionImpl c, CloseReason reason) {
    counters.drainedOne();
    c.close(reason);
  }

  private void drainDone(int count, long start) {
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    LOG.info("Drained: closed {} connections in {} ms", count, took.toMillis());
    counters.drainFinished(count, took);
    drained.complete(count);
  }

  /** Closes every connection, then the broker if the hub made it, then the threads. */
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    long start = System.nanoTime();
    int open = 0;
    for (ConnectionImpl c : new ArrayList<>(connections)) {
      c.close(CloseReason.SHUTDOWN);
      open++;
    }
    drained.complete(0);
    timer.shutdownNow();
    if (settings.ownsBroker()) {
      settings.broker().close();
    }
    if (ownExecutor != null) {
      ownExecutor.shutdown();
      try {
        if (!ownExecutor.awaitTermination(5, TimeUnit.SECONDS)) {
          ownExecutor.shutdownNow();
        }
      } catch (InterruptedException e) {
        ownExecutor.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
    LOG.info(
        "Herald hub stopped: closed {} connections in {} ms",
        open,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
