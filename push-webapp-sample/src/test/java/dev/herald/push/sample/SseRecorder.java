package dev.herald.push.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;

/**
 * Collects the events of one Server-Sent Events stream, fed line by line by the JDK HttpClient.
 * Thread-safe: the client's thread writes, the test thread reads.
 */
final class SseRecorder implements Flow.Subscriber<String> {
  /** One event: its {@code event:} name ({@code message} if none) and its joined data lines. */
  record Event(String name, String data) {}

  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final List<String> pendingData = new ArrayList<>();
  private String pendingName = "message";
  private volatile boolean ended;

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    subscription.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(String line) {
    if (line.isEmpty()) {
      if (!pendingData.isEmpty()) {
        events.add(new Event(pendingName, String.join("\n", pendingData)));
      }
      pendingData.clear();
      pendingName = "message";
    } else if (line.startsWith("data:")) {
      pendingData.add(line.substring(5).strip());
    } else if (line.startsWith("event:")) {
      pendingName = line.substring(6).strip();
    }
  }

  @Override
  public void onError(Throwable error) {
    ended = true;
  }

  @Override
  public void onComplete() {
    ended = true;
  }

  /** The events received so far. */
  List<Event> events() {
    return List.copyOf(events);
  }

  /** Whether the server ended the stream. */
  boolean ended() {
    return ended;
  }
}
