package dev.herald.push.client;

import dev.herald.push.EphemeralMessage;
import dev.herald.push.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Records what a client reports: listener events as short strings ({@code open:SSE}, {@code
 * close:SSE:eof}, {@code reset:chan:epoch}, {@code error:code}, {@code transport:SSE}) and each
 * channel's messages (stored and ephemeral apart), with the thread every call came on. Thread-safe.
 */
final class Recorder implements HeraldListener {
  final List<String> events = new CopyOnWriteArrayList<>();
  final List<HeraldException> errors = new CopyOnWriteArrayList<>();
  final Map<String, List<Message>> messages = new ConcurrentHashMap<>();
  final Map<String, List<EphemeralMessage>> ephemeral = new ConcurrentHashMap<>();
  final List<String> threads = new CopyOnWriteArrayList<>();

  /** A handler that records the channel's messages. */
  Consumer<Message> handler() {
    return m -> {
      threads.add(Thread.currentThread().getName());
      messages.computeIfAbsent(m.channel(), c -> new CopyOnWriteArrayList<>()).add(m);
    };
  }

  /** A handler that records the channel's ephemeral messages. */
  Consumer<EphemeralMessage> ephemeralHandler() {
    return m -> {
      threads.add(Thread.currentThread().getName());
      ephemeral.computeIfAbsent(m.channel(), c -> new CopyOnWriteArrayList<>()).add(m);
    };
  }

  /** The payloads of the ephemeral messages received on a channel, as JSON text. */
  List<String> ephemeralData(String channel) {
    List<String> out = new ArrayList<>();
    for (EphemeralMessage m : ephemeral.getOrDefault(channel, List.of())) {
      out.add(m.data());
    }
    return out;
  }

  List<Message> of(String channel) {
    return messages.getOrDefault(channel, List.of());
  }

  /** The payloads received on a channel, as JSON text. */
  List<String> data(String channel) {
    List<String> out = new ArrayList<>();
    for (Message m : of(channel)) {
      out.add(m.data());
    }
    return out;
  }

  /** The offsets received on a channel. */
  List<Long> offsets(String channel) {
    List<Long> out = new ArrayList<>();
    for (Message m : of(channel)) {
      out.add(m.offset());
    }
    return out;
  }

  long count(String prefix) {
    return events.stream().filter(e -> e.startsWith(prefix)).count();
  }

  private void record(String event) {
    threads.add(Thread.currentThread().getName());
    events.add(event);
  }

  @Override
  public void onTransport(Transport transport) {
    record("transport:" + transport);
  }

  @Override
  public void onOpen(Transport transport) {
    record("open:" + transport);
  }

  @Override
  public void onClose(Transport transport, String reason) {
    record("close:" + transport + ":" + reason);
  }

  @Override
  public void onReset(String channel, String epoch) {
    record("reset:" + channel + ":" + epoch);
  }

  @Override
  public void onError(HeraldException error) {
    errors.add(error);
    record("error:" + error.code());
  }
}
