package dev.herald.push.bench.jmh;

import dev.herald.push.Cursor;
import dev.herald.push.Position;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of {@link Cursor} operations for a connection holding 1 or 16 channels ({@code
 * channels}), in ns per call.
 *
 * <ul>
 *   <li>{@code encode}: {@link Cursor#encode()}, which every message frame carries.
 *   <li>{@code decode}: {@link Cursor#decode}, once per reconnect.
 *   <li>{@code with}: {@link Cursor#with} moving one existing channel to a new position, including
 *       the new {@link Position}, as {@code ConnectionImpl} does for every message and every
 *       connection that holds more than one channel.
 *   <li>{@code withThenEncode}: both, the whole cursor cost of one delivery.
 * </ul>
 *
 * <p>The cursor's offsets are in the millions, as on a busy channel, so the base-36 numbers have
 * realistic lengths. Setup checks that decoding the encoded cursor gives it back.
 *
 * <p>Run: {@code java -cp push-bench/target/push-bench.jar org.openjdk.jmh.Main CursorBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CursorBenchmark {
  static final String EPOCH = "Qx7bK2mPz9";

  @Param({"1", "16"})
  public int channels;

  private Cursor cursor;
  private String encoded;
  private String updated;
  private long offset = 5_000_000;

  @Setup(Level.Trial)
  public void setUp() {
    Cursor c = Cursor.empty();
    for (int i = 0; i < channels; i++) {
      c = c.with("bench/channel-" + i, new Position(EPOCH, 1_000_000L + i * 7919L));
    }
    cursor = c;
    encoded = c.encode();
    updated = "bench/channel-" + channels / 2;
    if (c.size() != channels || !Cursor.decode(encoded).equals(c)) {
      throw new IllegalStateException("cursor does not round-trip: " + encoded);
    }
    System.out.printf(
        "%n[check] %d-channel cursor, %d chars: %s%n", channels, encoded.length(), encoded);
  }

  @Benchmark
  public String encode() {
    return cursor.encode();
  }

  @Benchmark
  public Cursor decode() {
    return Cursor.decode(encoded);
  }

  @Benchmark
  public Cursor with() {
    return cursor.with(updated, new Position(EPOCH, ++offset));
  }

  @Benchmark
  public String withThenEncode() {
    return cursor.with(updated, new Position(EPOCH, ++offset)).encode();
  }
}
