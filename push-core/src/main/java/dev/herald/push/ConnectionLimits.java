package dev.herald.push;

import dev.herald.push.spi.WireFormat;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many connections a hub holds, per node and per client address, and how fast one address may
 * open new ones. Thread-safe.
 *
 * <p>Design notes. A connection takes a slot when the hub connects it and gives it back when it
 * leaves the hub's set, so a slot is held exactly as long as the hub serves the connection; a long
 * poll holds one while it waits. The node's count is one atomic. Each address with open connections
 * or an open rate that has not refilled yet has an entry in one map; every change to an entry runs
 * inside the map's {@code compute}, which locks only that entry's bin, so the entry itself needs no
 * lock and two addresses never wait on each other. An entry goes away when its last connection
 * closes and its bucket is full again (at once, or at the next sweep of the hub's timer), so the
 * map holds at most the addresses with open connections (no more than the node's cap) plus those
 * that opened within the last refill time; a hard bound on tracked addresses stops a flood of new
 * addresses from growing it further.
 *
 * <p>The address is the client's as the access policy resolved it (forwarded headers only from
 * trusted proxies). A client without one (an in-process transport's) counts toward the node's cap
 * only. IPv6 addresses count by their /64 network, the block one home or office gets, since a host
 * can pick any address inside it.
 */
final class ConnectionLimits {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimits.class);

  /** The node-wide refusals are logged at most once a minute: a flood would flood the log. */
  private static final long WARN_EVERY_NANOS = 60_000_000_000L;

  /** A limit that never refuses. */
  static final int UNLIMITED = Integer.MAX_VALUE;

  /** How long a client refused by a cap is told to wait. */
  static final Duration CAP_RETRY = Duration.ofSeconds(2);

  /** Why an open was refused, as counted in {@link HubStats#refused()}. */
  enum Refusal {
    NODE_FULL("node_full"),
    ADDRESS_FULL("address_full"),
    OPEN_RATE("open_rate"),
    TOO_MANY_ADDRESSES("too_many_addresses");

    final String code;

    Refusal(String code) {
      this.code = code;
    }
  }

  private final int maxConnections;
  private final int maxPerAddress;
  private final int openRate;
  private final int openBurst;
  private final int maxTrackedAddresses;
  private final LongSupplier nanoTime;
  private final HubCounters counters;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicLong lastWarning = new AtomicLong();
  private final AtomicLong unlogged = new AtomicLong();
  private final ConcurrentHashMap<String, Address> addresses = new ConcurrentHashMap<>();

  /**
   * How many addresses a hub tracks at most: every address with open connections fits (there are at
   * most {@code maxConnections} of them), with room for 100,000 more that opened recently; about
   * 150 bytes each.
   */
  static int maxTrackedAddresses(int maxConnections) {
    return (int) Math.min(1_000_000L, (long) maxConnections + 100_000L);
  }

  /**
   * @param openRate opens per second per address, {@link #UNLIMITED} for no rate limit
   * @param maxTrackedAddresses the most addresses tracked at once
   * @param nanoTime the clock, {@code System::nanoTime} outside tests
   */
  ConnectionLimits(
      int maxConnections,
      int maxPerAddress,
      int openRate,
      int openBurst,
      int maxTrackedAddresses,
      LongSupplier nanoTime,
      HubCounters counters) {
    this.maxConnections = maxConnections;
    this.maxPerAddress = maxPerAddress;
    this.openRate = openRate;
    this.openBurst = openBurst;
    this.maxTrackedAddresses = maxTrackedAddresses;
    this.nanoTime = nanoTime;
    this.counters = counters;
  }

  /** Whether per-address state is kept at all. */
  private boolean perAddress() {
    return maxPerAddress != UNLIMITED || openRate != UNLIMITED;
  }

  /**
   * Checks an open before the transport does any work for it: the caps as they stand, and one token
   * of the address's open rate, which it takes. A long poll that carries a cursor continues a
   * client's loop rather than opening anew, and takes no token.
   *
   * @throws PushException {@code rate_limited} (429) or {@code unavailable} (503), with a retry
   */
  void admit(String address, WireFormat format, boolean continuation) {
    if (open.get() >= maxConnections) {
      throw refuse(format, Refusal.NODE_FULL, CAP_RETRY.toMillis());
    }
    if (!perAddress() || address == null) {
      return;
    }
    boolean takeToken = openRate != UNLIMITED && !(format == WireFormat.POLL && continuation);
    long now = nanoTime.getAsLong();
    long[] refusedFor = new long[1];
    Refusal[] refusal = new Refusal[1];
    String key = key(address);
    if (!addresses.containsKey(key) && !room()) {
      throw refuse(format, Refusal.TOO_MANY_ADDRESSES, CAP_RETRY.toMillis());
    }
    addresses.compute(
        key,
        (k, entry) -> {
          Address a = entry == null ? new Address(openBurst, now) : entry;
          if (a.connections >= maxPerAddress) {
            refusal[0] = Refusal.ADDRESS_FULL;
            refusedFor[0] = CAP_RETRY.toMillis();
          } else if (takeToken) {
            long wait = a.take(now, openRate, openBurst);
            if (wait > 0) {
              refusal[0] = Refusal.OPEN_RATE;
              refusedFor[0] = wait;
            }
          }
          return a.idle(now, openRate, openBurst) ? null : a;
        });
    if (refusal[0] != null) {
      throw refuse(format, refusal[0], refusedFor[0]);
    }
  }

  /**
   * Takes a slot for a connection the hub is about to serve: the node's, then the address's.
   *
   * @throws PushException {@code unavailable} (503) or {@code rate_limited} (429), with a retry
   */
  void acquire(String address, WireFormat format) {
    if (open.incrementAndGet() > maxConnections) {
      open.decrementAndGet();
      throw refuse(format, Refusal.NODE_FULL, CAP_RETRY.toMillis());
    }
    if (!perAddress() || address == null) {
      return;
    }
    String key = key(address);
    if (!addresses.containsKey(key) && !room()) {
      open.decrementAndGet();
      throw refuse(format, Refusal.TOO_MANY_ADDRESSES, CAP_RETRY.toMillis());
    }
    long now = nanoTime.getAsLong();
    boolean[] full = new boolean[1];
    addresses.compute(
        key,
        (k, entry) -> {
          Address a = entry == null ? new Address(openBurst, now) : entry;
          if (a.connections >= maxPerAddress) {
            full[0] = true;
          } else {
            a.connections++;
          }
          return a.idle(now, openRate, openBurst) ? null : a;
        });
    if (full[0]) {
      open.decrementAndGet();
      throw refuse(format, Refusal.ADDRESS_FULL, CAP_RETRY.toMillis());
    }
  }

  /** Gives back the slot of a connection the hub no longer serves. */
  void release(String address) {
    open.decrementAndGet();
    if (!perAddress() || address == null) {
      return;
    }
    long now = nanoTime.getAsLong();
    addresses.computeIfPresent(
        key(address),
        (k, a) -> {
          a.connections--;
          return a.idle(now, openRate, openBurst) ? null : a;
        });
  }

  /** Drops the entries of addresses with no connection whose bucket has refilled. */
  void sweep() {
    if (addresses.isEmpty()) {
      return;
    }
    long now = nanoTime.getAsLong();
    for (String key : addresses.keySet()) {
      addresses.computeIfPresent(key, (k, a) -> a.idle(now, openRate, openBurst) ? null : a);
    }
  }

  /**
   * Whether a new address may be tracked. A full map is not swept here: under a flood of new
   * addresses that would cost a pass over the map per open; the timer's sweep frees it instead.
   */
  private boolean room() {
    return addresses.size() < maxTrackedAddresses;
  }

  /** Connections holding a slot. */
  int open() {
    return open.get();
  }

  /** Addresses tracked now. */
  int trackedAddresses() {
    return addresses.size();
  }

  /** Connections of the address holding a slot. */
  int open(String address) {
    Address a = addresses.get(key(address));
    return a == null ? 0 : a.connections;
  }

  private PushException refuse(WireFormat format, Refusal refusal, long retryMillis) {
    counters.connectionRefused(format, refusal.code);
    if (refusal == Refusal.NODE_FULL || refusal == Refusal.TOO_MANY_ADDRESSES) {
      warn(refusal);
    } else {
      LOG.debug("Refused a {} connection: {}", format, refusal.code);
    }
    Duration retry = Duration.ofMillis(Math.max(1, retryMillis));
    return switch (refusal) {
      case NODE_FULL ->
          new PushException(
              ErrorCode.UNAVAILABLE, "the server is at its connection limit; try another", retry);
      case TOO_MANY_ADDRESSES ->
          new PushException(
              ErrorCode.UNAVAILABLE, "the server is tracking too many clients; try later", retry);
      case ADDRESS_FULL ->
          new PushException(
              ErrorCode.RATE_LIMITED, "too many connections from your address", retry);
      case OPEN_RATE ->
          new PushException(
              ErrorCode.RATE_LIMITED, "connections opened too fast from your address", retry);
    };
  }

  private void warn(Refusal refusal) {
    long now = nanoTime.getAsLong();
    long last = lastWarning.get();
    if ((last != 0 && now - last < WARN_EVERY_NANOS) || !lastWarning.compareAndSet(last, now)) {
      unlogged.incrementAndGet();
      return;
    }
    LOG.warn(
        refusal == Refusal.NODE_FULL
            ? "Refusing new connections: {} are open, the node's cap (PushHub.Builder"
                + ".maxConnections); {} more refused since the last warning"
            : "Refusing new connections: {} client addresses are tracked, the most this hub"
                + " tracks; {} more refused since the last warning",
        refusal == Refusal.NODE_FULL ? open.get() : addresses.size(),
        unlogged.getAndSet(0));
  }

  /**
   * The address an entry counts under: an IPv4 address as is, an IPv6 one as its /64 network,
   * anything else (a name, an unknown address) as the text itself.
   */
  static String key(String address) {
    byte[] bytes = ProxyList.literal(ProxyList.stripPortAndBrackets(address.trim()));
    if (bytes == null) {
      return address;
    }
    if (bytes.length == 16) {
      for (int i = 8; i < 16; i++) {
        bytes[i] = 0;
      }
    }
    try {
      String text = InetAddress.getByAddress(bytes).getHostAddress();
      return bytes.length == 16 ? text + "/64" : text;
    } catch (UnknownHostException e) {
      return address;
    }
  }

  /**
   * One address's open connections and its token bucket of opens. Confined to the map's {@code
   * compute} of its key.
   */
  private static final class Address {
    int connections;
    private double tokens;
    private long stamp;

    Address(int burst, long now) {
      this.tokens = burst;
      this.stamp = now;
    }

    /** Takes a token; returns 0, or the milliseconds until one is there. */
    long take(long now, int rate, int burst) {
      refill(now, rate, burst);
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return (long) Math.ceil((1 - tokens) * 1000 / rate);
    }

    /** No connection and a full bucket: the same as no entry. */
    boolean idle(long now, int rate, int burst) {
      if (connections > 0) {
        return false;
      }
      if (rate == UNLIMITED) {
        return true;
      }
      refill(now, rate, burst);
      return tokens >= burst;
    }

    private void refill(long now, int rate, int burst) {
      long elapsed = now - stamp;
      if (elapsed > 0) {
        tokens = Math.min(burst, tokens + elapsed * (double) rate / 1_000_000_000L);
        stamp = now;
      }
    }
  }
}
