package dev.herald.push.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.push.ErrorCode;
import dev.herald.push.Member;
import dev.herald.push.Message;
import dev.herald.push.Position;
import dev.herald.push.PushException;
import dev.herald.push.PushHub;
import dev.herald.push.spi.Broker;
import dev.herald.push.spi.BrokerListener;
import dev.herald.push.spi.BrokerSubscription;
import dev.herald.push.spi.Replay;
import dev.herald.push.spi.WireFormat;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The hub's channel route retries a failed start; the retry must not leave the first live feed
 * open, or the node would stay subscribed in Redis after its last client left.
 */
class RouteRetryTest {
  @Test
  void routeStartRetried_closesItsEarlierBrokerSubscription() {
    try (RedisServer redis = RedisServer.start();
        RedisBroker redisBroker = RedisBroker.create(redis.uri())) {
      // The connection's own position call comes first (slowed down); the route's, after its
      // subscribe, second (failed once).
      AtomicInteger positions = new AtomicInteger();
      Broker broker =
          new Delegating(redisBroker) {
            @Override
            public CompletionStage<Position> position(String channel) {
              int n = positions.incrementAndGet();
              if (n == 1) {
                return redisBroker
                    .position(channel)
                    .thenApplyAsync(
                        p -> p, CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS));
              }
              if (n == 2) {
                return CompletableFuture.failedFuture(
                    new PushException(ErrorCode.UNAVAILABLE, "test: position failed once"));
              }
              return redisBroker.position(channel);
            }
          };
      try (PushHub hub = PushHub.builder().broker(broker).build()) {
        RecordingSink sink = new RecordingSink();
        var connection =
            hub.transportContext()
                .connect(
                    hub.transportContext().newClient(null, null),
                    WireFormat.NDJSON,
                    sink,
                    List.of("room"),
                    null);
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> hub.channel("room").subscriberCount() == 1);
        hub.channel("room").publish("e", 1).toCompletableFuture().join();
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.messages("room").size() == 1);

        connection.close(dev.herald.push.spi.CloseReason.CLIENT_GONE);

        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () -> assertThat(redisBroker.liveChannels().toCompletableFuture().get()).isEmpty());
        assertThat(redis.call("PUBSUB", "NUMSUB", "herald:{room}:live"))
            .isEqualTo(List.of("herald:{room}:live", 0L));
      }
    }
  }

  /** Passes every call to another broker. */
  private static class Delegating implements Broker {
    private final Broker delegate;

    Delegating(Broker delegate) {
      this.delegate = delegate;
    }

    @Override
    public CompletionStage<Message> publish(
        String channel, String event, String data, String publisherId) {
      return delegate.publish(channel, event, data, publisherId);
    }

    @Override
    public CompletionStage<Replay> replay(String channel, Position since, int limit) {
      return delegate.replay(channel, since, limit);
    }

    @Override
    public CompletionStage<Position> position(String channel) {
      return delegate.position(channel);
    }

    @Override
    public CompletionStage<BrokerSubscription> subscribe(String channel, BrokerListener listener) {
      return delegate.subscribe(channel, listener);
    }

    @Override
    public CompletionStage<Void> join(String channel, Member member) {
      return delegate.join(channel, member);
    }

    @Override
    public CompletionStage<Void> leave(String channel, Member member) {
      return delegate.leave(channel, member);
    }

    @Override
    public CompletionStage<List<Member>> members(String channel) {
      return delegate.members(channel);
    }

    @Override
    public void close() {}
  }
}
