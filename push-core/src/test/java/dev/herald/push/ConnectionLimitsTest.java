package dev.herald.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.push.spi.BrokerHealth;
import dev.herald.push.spi.CloseReason;
import dev.herald.push.spi.Connection;
import dev.herald.push.spi.HubObserver;
import dev.herald.push.spi.WireFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The node cap, the per-address cap, the open rate and how much the limits remember. */
class ConnectionLimitsTest {
  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong now = new AtomicLong(42 * SECOND);
  private final HubCounters counters = new HubCounters(HubObserver.NONE);
  private PushHub hub;

  @AfterEach
  void close() {
    if (hub != null) {
      hub.close();
    }
  }

  private ConnectionLimits limits(int node, int perAddress, int rate, int burst, int tracked) {
    return new ConnectionLimits(node, perAddress, rate, burst, tracked, now::get, counters);
  }

  private long refused(String reason) {
    return counters.snapshot(BrokerHealth.LOCAL).refused(reason);
  }

  @Test
  void nodeCap_refusesWith503AndARetry_untilASlotIsReleased() {
    ConnectionLimits limits = limits(2, ConnectionLimits.UNLIMITED, 1000, 1000, 100);
    limits.acquire("10.0.0.1", WireFormat.SSE);
    limits.acquire("10.0.0.2", WireFormat.WEBSOCKET);

    assertThatThrownBy(() -> limits.admit("10.0.0.3", WireFormat.SSE, false))
        .isInstanceOfSatisfying(
            PushException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
              assertThat(e.retryAfter()).hasValue(Duration.ofSeconds(2));
            });
    assertThatThrownBy(() -> limits.acquire("10.0.0.3", WireFormat.POLL))
        .isInstanceOfSatisfying(
            PushException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
    assertThat(limits.open()).isEqualTo(2);
    assertThat(refused("node_full")).isEqualTo(2);

    limits.release("10.0.0.1");
    limits.admit("10.0.0.3", WireFormat.SSE, false);
    limits.acquire("10.0.0.3", WireFormat.SSE);
    assertThat(limits.open()).isEqualTo(2);
  }

  @Test
  void addressCap_refusesWith429_countsEachAddressApart_andFreesOnRelease() {
    ConnectionLimits limits = limits(100, 2, 1000, 1000, 100);
    limits.acquire("10.0.0.1", WireFormat.SSE);
    limits.acquire("10.0.0.1", WireFormat.NDJSON);
    limits.acquire("10.0.0.2", WireFormat.NDJSON);

    assertThatThrownBy(() -> limits.admit("10.0.0.1", WireFormat.WEBSOCKET, false))
        .isInstanceOfSatisfying(
            PushException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
              assertThat(e.retryAfter()).isPresent();
            });
    assertThatThrownBy(() -> limits.acquire("10.0.0.1", WireFormat.WEBSOCKET))
        .isInstanceOf(PushException.class);
    assertThat(limits.open()).isEqualTo(3);
    assertThat(limits.open("10.0.0.1")).isEqualTo(2);
    assertThat(refused("address_full")).isEqualTo(2);

    limits.release("10.0.0.1");
    limits.acquire("10.0.0.1", WireFormat.WEBSOCKET);
    assertThat(limits.open("10.0.0.1")).isEqualTo(2);
  }

  @Test
  void openRate_allowsTheBurst_thenRefusesUntilATokenRefills() {
    ConnectionLimits limits = limits(100, 100, 2, 3, 100);
    for (int i = 0; i < 3; i++) {
      limits.admit("10.0.0.1", WireFormat.SSE, false);
    }
    assertThatThrownBy(() -> limits.admit("10.0.0.1", WireFormat.SSE, false))
        .isInstanceOfSatisfying(
            PushException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
              // Two a second: the next token is half a second away.
              assertThat(e.retryAfter()).hasValue(Duration.ofMillis(500));
            });
    // Another address has its own bucket.
    limits.admit("10.0.0.2", WireFormat.SSE, false);
    assertThat(refused("open_rate")).isEqualTo(1);

    now.addAndGet(SECOND / 2);
    limits.admit("10.0.0.1", WireFormat.SSE, false);
    assertThatThrownBy(() -> limits.admit("10.0.0.1", WireFormat.SSE, false))
        .isInstanceOf(PushException.class);
  }

  @Test
  void openRate_doesNotCountLongPollsThatCarryACursor() {
    ConnectionLimits limits = limits(100, 100, 1, 1, 100);
    limits.admit("10.0.0.1", WireFormat.POLL, false);
    for (int i = 0; i < 50; i++) {
      limits.admit("10.0.0.1", WireFormat.POLL, true);
    }
    assertThatThrownBy(() -> limits.admit("10.0.0.1", WireFormat.POLL, false))
        .isInstanceOf(PushException.class);
  }

  @Test
  void tracking_forgetsAnAddressOnceItHasNoConnectionAndItsBucketIsFull() {
    ConnectionLimits limits = limits(100, 100, 10, 5, 100);
    limits.admit("10.0.0.1", WireFormat.SSE, false);
    limits.acquire("10.0.0.1", WireFormat.SSE);
    limits.release("10.0.0.1");
    // One token short for a tenth of a second.
    assertThat(limits.trackedAddresses()).isEqualTo(1);
    now.addAndGet(SECOND / 10);
    limits.sweep();
    assertThat(limits.trackedAddresses()).isZero();

    // Without a rate, an address is forgotten with its last connection.
    ConnectionLimits capOnly = limits(100, 100, ConnectionLimits.UNLIMITED, 5, 100);
    capOnly.admit("10.0.0.1", WireFormat.SSE, false);
    assertThat(capOnly.trackedAddresses()).isZero();
    capOnly.acquire("10.0.0.1", WireFormat.SSE);
    assertThat(capOnly.trackedAddresses()).isEqualTo(1);
    capOnly.release("10.0.0.1");
    assertThat(capOnly.trackedAddresses()).isZero();
  }

  @Test
  void tracking_isBounded_aFloodOfNewAddressesIsRefusedNotRemembered() {
    ConnectionLimits limits = limits(100_000, 100, 1, 1, 1000);
    int refusedCount = 0;
    for (int i = 0; i < 5000; i++) {
      try {
        limits.admit("10.1." + (i / 256) + "." + (i % 256), WireFormat.WEBSOCKET, false);
      } catch (PushException e) {
        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        refusedCount++;
      }
    }
    assertThat(limits.trackedAddresses()).isEqualTo(1000);
    assertThat(refusedCount).isEqualTo(4000);
    assertThat(refused("too_many_addresses")).isEqualTo(4000);

    // Once their buckets refill, the timer's sweep makes room again.
    now.addAndGet(SECOND);
    limits.sweep();
    assertThat(limits.trackedAddresses()).isZero();
    limits.admit("10.2.0.1", WireFormat.WEBSOCKET, false);
  }

  @Test
  void aClientWithoutAnAddress_countsTowardTheNodeCapOnly() {
    ConnectionLimits limits = limits(3, 1, 1, 1, 100);
    for (int i = 0; i < 3; i++) {
      limits.admit(null, WireFormat.SSE, false);
      limits.acquire(null, WireFormat.SSE);
    }
    assertThat(limits.trackedAddresses()).isZero();
    assertThatThrownBy(() -> limits.acquire(null, WireFormat.SSE))
        .isInstanceOf(PushException.class);
    limits.release(null);
    assertThat(limits.open()).isEqualTo(2);
  }

  @Test
  void tracking_boundLeavesRoomForEveryConnectedAddress() {
    assertThat(ConnectionLimits.maxTrackedAddresses(10_000)).isEqualTo(110_000);
    assertThat(ConnectionLimits.maxTrackedAddresses(ConnectionLimits.UNLIMITED))
        .isEqualTo(1_000_000);
  }

  @Test
  void key_countsIpv6ByItsSlash64_andSpellingsOfOneAddressAlike() {
    assertThat(ConnectionLimits.key("2001:db8:1:2:aaaa::1"))
        .isEqualTo(ConnectionLimits.key("[2001:db8:1:2:bbbb::9]:443"))
        .isEqualTo("2001:db8:1:2:0:0:0:0/64");
    assertThat(ConnectionLimits.key("2001:db8:1:3::1"))
        .isNotEqualTo(ConnectionLimits.key("2001:db8:1:2::1"));
    assertThat(ConnectionLimits.key("::1")).isEqualTo(ConnectionLimits.key("0:0:0:0:0:0:0:1"));
    assertThat(ConnectionLimits.key("::ffff:10.0.0.1")).isEqualTo("10.0.0.1");
    assertThat(ConnectionLimits.key("10.0.0.1")).isEqualTo("10.0.0.1");
    assertThat(ConnectionLimits.key("unknown")).isEqualTo("unknown");
  }

  @Test
  void hub_holdsASlotPerConnection_untilTheConnectionCloses() {
    hub = PushHub.builder().maxConnections(3).maxConnectionsPerAddress(2).build();
    List<Connection> open = new ArrayList<>();
    open.add(connect("10.0.0.1"));
    open.add(connect("10.0.0.1"));
    assertThatThrownBy(() -> connect("10.0.0.1"))
        .isInstanceOfSatisfying(
            PushException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED));
    open.add(connect("10.0.0.2"));
    assertThatThrownBy(() -> connect("10.0.0.3"))
        .isInstanceOfSatisfying(
            PushException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
    assertThat(hub.stats().refused("address_full")).isEqualTo(1);
    assertThat(hub.stats().refused("node_full")).isEqualTo(1);

    open.get(0).close(CloseReason.CLIENT_GONE);
    open.add(connect("10.0.0.1"));

    // A refused subscribe takes no slot.
    assertThatThrownBy(() -> connect("10.0.0.2", "bad channel!")).isInstanceOf(PushException.class);
    open.get(2).close(CloseReason.CLIENT_GONE);
    open.add(connect("10.0.0.2"));
    assertThat(hub.connectionCount()).isEqualTo(3);
  }

  @Test
  void builder_rejectsNonPositiveLimitsNamingThem() {
    PushHub.Builder b = PushHub.builder();
    assertThatThrownBy(() -> b.maxConnections(0)).hasMessage("maxConnections must be > 0, was 0");
    assertThatThrownBy(() -> b.maxConnectionsPerAddress(-1))
        .hasMessage("maxConnectionsPerAddress must be > 0, was -1");
    assertThatThrownBy(() -> b.openRate(0, 10)).hasMessage("openRate must be > 0, was 0");
    assertThatThrownBy(() -> b.openRate(10, -2)).hasMessage("openBurst must be > 0, was -2");
  }

  @Test
  void noConnectionLimits_refusesNothingAndTracksNothing() {
    hub = PushHub.builder().noConnectionLimits().build();
    for (int i = 0; i < 300; i++) {
      hub.transportContext()
          .admit(new Client(Hub.newClientId(), null, "10.0.0.1"), WireFormat.SSE, null);
      connect("10.0.0.1");
    }
    assertThat(hub.connectionCount()).isEqualTo(300);
  }

  private Connection connect(String address) {
    return connect(address, "c");
  }

  private Connection connect(String address, String channel) {
    return hub.transportContext()
        .connect(
            new Client(Hub.newClientId(), null, address),
            WireFormat.SSE,
            new RecordingSink(),
            List.of(channel),
            null);
  }
}
