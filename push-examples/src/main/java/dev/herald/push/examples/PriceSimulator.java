package dev.herald.push.examples;

import dev.herald.push.PushHub;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live dashboard's data: a random walk per instrument, published to {@code prices/<symbol>}
 * five times a second with the server's clock in {@code ts}, so the page can show latency. Each
 * node of a cluster runs its own simulator. Not thread-safe; ticks run on one scheduler thread at a
 * time.
 */
final class PriceSimulator {
  private static final Logger LOG = LoggerFactory.getLogger(PriceSimulator.class);
  static final Map<String, Double> START =
      Map.of("EURUSD", 1.0842, "BTCUSD", 64_250.0, "XAUUSD", 2_331.5);
  static final long PERIOD_MILLIS = 200;

  private final PushHub hub;
  private final Random random = new Random(42);
  private final Map<String, double[]> prices =
      Map.of(
          "EURUSD", new double[] {START.get("EURUSD")},
          "BTCUSD", new double[] {START.get("BTCUSD")},
          "XAUUSD", new double[] {START.get("XAUUSD")});
  private ScheduledFuture<?> task;

  PriceSimulator(PushHub hub) {
    this.hub = hub;
  }

  /** Starts ticking on the scheduler. */
  void start(ScheduledExecutorService scheduler) {
    task = scheduler.scheduleAtFixedRate(this::tick, 0, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Stops ticking; a tick under way finishes. */
  void stop() {
    if (task != null) {
      task.cancel(false);
    }
  }

  private void tick() {
    long now = System.currentTimeMillis();
    prices.forEach(
        (symbol, price) -> {
          // A mean-reverting walk keeps the charts lively without drifting off screen.
          double start = START.get(symbol);
          price[0] += price[0] * 0.0008 * random.nextGaussian() + (start - price[0]) * 0.01;
          try {
            hub.channel("prices/" + symbol)
                .publish("tick", Map.of("symbol", symbol, "price", price[0], "ts", now));
          } catch (RuntimeException e) {
            LOG.debug("Tick for {} not published", symbol, e);
          }
        });
  }
}
