package dev.herald.push.client;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A link that does no I/O: it records what it was asked to do. */
final class FakeLink extends Link {
  final List<String> sent = new CopyOnWriteArrayList<>();
  volatile int starts;
  volatile int flushes;
  volatile boolean aborted;

  FakeLink(Transport transport) {
    super(new LinkContext(null, null, null, null, null, null, null), transport);
  }

  @Override
  void start() {
    starts++;
  }

  @Override
  void abort() {
    aborted = true;
  }

  @Override
  void send(String frame) {
    sent.add(frame);
  }

  @Override
  void flush() {
    flushes++;
  }

  @Override
  boolean watchesIdle() {
    return transport() != Transport.POLL;
  }
}
