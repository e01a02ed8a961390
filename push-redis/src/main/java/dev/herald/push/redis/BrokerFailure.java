package dev.herald.push.redis;

import dev.herald.push.ErrorCode;
import dev.herald.push.PushException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Turns what Lettuce reports into the {@link PushException} the broker SPI promises. The messages
 * are safe to show a client: they name what went wrong, never a key, a payload or a password.
 * Thread-safe.
 */
final class BrokerFailure {
  private BrokerFailure() {}

  /**
   * The failure as a {@code PushException} of code {@code UNAVAILABLE}, unless it already is one.
   */
  static PushException unavailable(Throwable error) {
    Throwable e = unwrap(error);
    if (e instanceof PushException push) {
      return push;
    }
    String message;
    if (e instanceof RedisCommandTimeoutException) {
      message = "the message broker is unavailable: Redis did not answer in time";
    } else if (e instanceof RedisCommandExecutionException) {
      message = "the message broker is unavailable: Redis refused the command";
    } else if (e instanceof RedisException) {
      message = "the message broker is unavailable: Redis cannot be reached";
    } else {
      message = "the message broker is unavailable";
    }
    return new PushException(ErrorCode.UNAVAILABLE, message, e);
  }

  /** The error a closed broker reports. */
  static PushException closed() {
    return new PushException(ErrorCode.UNAVAILABLE, "the broker is closed");
  }

  static Throwable unwrap(Throwable error) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
