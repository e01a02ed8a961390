package dev.herald.push;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The live subscribers' array that walks share: made again only when the live list changed. */
class RouteSubscribersTest {
  private final RouteSubscribers subscribers = new RouteSubscribers();

  @Test
  void liveSnapshot_isSharedUntilTheLiveListChanges_andNeverChangedOnceMade() {
    Subscription a = subscription("a");
    Subscription b = subscription("b");
    Subscription c = subscription("c");
    assertThat(subscribers.liveSnapshot()).isEmpty();

    subscribers.move(a, Subscription.State.LIVE);
    subscribers.move(b, Subscription.State.LIVE);
    subscribers.move(c, Subscription.State.LIVE);
    Subscription[] three = subscribers.liveSnapshot();
    assertThat(three).containsExactlyInAnyOrder(a, b, c);
    assertThat(subscribers.liveSnapshot()).isSameAs(three);

    // Not a change of the live list: the walks keep sharing the same array.
    Subscription d = subscription("d");
    subscribers.move(d, Subscription.State.CATCHING_UP);
    assertThat(subscribers.liveSnapshot()).isSameAs(three);

    subscribers.remove(a);
    Subscription[] two = subscribers.liveSnapshot();
    assertThat(two).containsExactlyInAnyOrder(b, c);
    // A walk that started before still holds every subscriber of its start.
    assertThat(three).containsExactlyInAnyOrder(a, b, c);

    subscribers.move(d, Subscription.State.LIVE);
    assertThat(subscribers.liveSnapshot()).containsExactlyInAnyOrder(b, c, d);
    assertThat(two).containsExactlyInAnyOrder(b, c);

    subscribers.remove(b);
    subscribers.remove(c);
    subscribers.remove(d);
    assertThat(subscribers.liveSnapshot()).isEmpty();
    assertThat(subscribers.live).isEmpty();
  }

  private static Subscription subscription(String clientId) {
    return new Subscription(null, "room", new Member(clientId, null, Instant.EPOCH, null));
  }
}
