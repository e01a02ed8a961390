package dev.herald.push.client;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The future of a publish. It completes on the client's callback thread, so waiting for it there
 * could never end: {@code join} and {@code get} refuse to, at once, instead of hanging.
 * Thread-safe.
 */
final class AckFuture extends CompletableFuture<Ack> {
  private final Dispatcher dispatcher;

  AckFuture(Dispatcher dispatcher) {
    this.dispatcher = dispatcher;
  }

  private void checkThread() {
    if (!isDone() && dispatcher.isCallbackThread()) {
      throw new IllegalStateException(
          "waiting for a publish on the client's callback thread would never end: its ack is"
              + " delivered on that thread; chain with thenAccept instead");
    }
  }

  @Override
  public Ack join() {
    checkThread();
    return super.join();
  }

  @Override
  public Ack get() throws InterruptedException, ExecutionException {
    checkThread();
    return super.get();
  }

  @Override
  public Ack get(long timeout, TimeUnit unit)
      throws InterruptedException, ExecutionException, TimeoutException {
    checkThread();
    return super.get(timeout, unit);
  }

  @Override
  public <U> CompletableFuture<U> newIncompleteFuture() {
    return new CompletableFuture<>();
  }
}
