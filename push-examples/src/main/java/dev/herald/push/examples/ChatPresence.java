package dev.herald.push.examples;

import dev.herald.push.Member;
import dev.herald.push.PresenceEvent;
import dev.herald.push.PresenceListener;
import dev.herald.push.PushHub;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells each chat room how many people are in it: on every join or leave of {@code chat/<room>} it
 * publishes the room's member count (on every node the broker knows of) to {@code
 * presence/chat/<room>}. Counts are taken and published one at a time on a thread of its own, so
 * the last published count is the current one. Thread-safe.
 */
final class ChatPresence implements PresenceListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ChatPresence.class);
  static final String PREFIX = "presence/";

  private final AtomicReference<PushHub> hub = new AtomicReference<>();
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "herald-demo-presence");
            t.setDaemon(true);
            return t;
          });

  /** The hub is built after its listeners, so it is handed in once built. */
  void attach(PushHub built) {
    hub.set(built);
  }

  /** The channel that carries the member count of a chat room's channel. */
  static String channelFor(String room) {
    return PREFIX + room;
  }

  @Override
  public void onPresence(PresenceEvent event) {
    if (!event.channel().startsWith("chat/")) {
      return;
    }
    try {
      worker.execute(() -> publishCount(event.channel()));
    } catch (RejectedExecutionException e) {
      // Closing: nobody is left to tell.
    }
  }

  private void publishCount(String room) {
    PushHub h = hub.get();
    if (h == null || h.isClosed()) {
      return;
    }
    try {
      List<Member> members = JsonServlet.await(h.channel(room).members());
      JsonServlet.await(
          h.channel(channelFor(room)).publish("presence", Map.of("count", members.size())));
    } catch (RuntimeException e) {
      LOG.debug("Could not publish the member count of {}", room, e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    worker.shutdownNow();
    worker.awaitTermination(5, TimeUnit.SECONDS);
  }
}
