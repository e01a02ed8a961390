package dev.herald.push;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.push.spi.Connection;
import dev.herald.push.spi.WireFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A client message goes to the dispatch executor only when the channel has application code to run
 * on it; with {@link ClientMessageHandler#PASS_THROUGH} it is published from the caller's thread.
 */
class ClientPublishHandOffTest {
  /** Runs nothing until asked, until the test is over: what was handed to it stays visible. */
  private final ConcurrentLinkedQueue<Runnable> handedOff = new ConcurrentLinkedQueue<>();

  private volatile boolean over;

  private final Executor held =
      task -> {
        if (over) {
          task.run();
        } else {
          handedOff.add(task);
        }
      };

  private final PushHub hub =
      PushHub.builder()
          .executor(held)
          .acceptClientMessages("plain/*", ClientMessageHandler.PASS_THROUGH)
          .acceptClientMessages("handled/*", m -> m.withEvent("seen"))
          .build();

  @AfterEach
  void close() {
    over = true;
    for (Runnable task = handedOff.poll(); task != null; task = handedOff.poll()) {
      task.run();
    }
    hub.close();
  }

  private Connection connect() {
    return hub.transportContext()
        .connect(
            hub.transportContext().newClient(null, "127.0.0.1"),
            WireFormat.WEBSOCKET,
            new RecordingSink(),
            List.of(),
            null);
  }

  @Test
  void passThrough_isPublishedBeforePublishReturns_withoutTheExecutor() {
    Connection c = connect();
    handedOff.clear();
    CompletableFuture<Publication> p =
        c.publish("plain/a", "e", "{\"n\":1}", false).toCompletableFuture();
    assertThat(p).isCompleted();
    assertThat(handedOff).isEmpty();
    assertThat(p.join()).isInstanceOf(Message.class);
    assertThat(((Message) p.join()).offset()).isEqualTo(1);
    assertThat(hub.channel("plain/a").position().toCompletableFuture().join().offset())
        .isEqualTo(1);
  }

  @Test
  void aHandler_runsOnTheExecutor_andThePublishWaitsForIt() {
    Connection c = connect();
    handedOff.clear();
    CompletableFuture<Publication> p =
        c.publish("handled/a", "e", "{\"n\":1}", false).toCompletableFuture();
    assertThat(p).isNotDone();
    assertThat(handedOff).hasSize(1);
    handedOff.poll().run();
    assertThat(p).isCompleted();
    assertThat(p.join().event()).isEqualTo("seen");
  }
}
