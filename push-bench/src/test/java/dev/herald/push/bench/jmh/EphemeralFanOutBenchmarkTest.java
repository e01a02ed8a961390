package dev.herald.push.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.push.spi.WireFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The benchmark's two paths deliver every message to every sink, the same count each. */
class EphemeralFanOutBenchmarkTest {
  @ParameterizedTest
  @CsvSource({"WEBSOCKET, direct", "SSE, direct", "WEBSOCKET, pool", "SSE, pool"})
  void bothPathsDeliverEveryMessageToEverySink(WireFormat format, String executor) {
    EphemeralFanOutBenchmark bench = new EphemeralFanOutBenchmark();
    bench.subscribers = 10;
    bench.format = format;
    bench.executor = executor;
    bench.setUp(); // one of each, checked frame shapes
    long afterSetUp = bench.delivered();
    for (int i = 0; i < 50; i++) {
      bench.durable();
    }
    long afterDurable = bench.delivered();
    for (int i = 0; i < 50; i++) {
      bench.ephemeral();
    }
    long afterEphemeral = bench.delivered();
    bench.tearDown(); // every sink got exactly one frame per publish

    assertThat(afterSetUp).isEqualTo(2 * 10);
    assertThat(afterDurable - afterSetUp).isEqualTo(50 * 10);
    assertThat(afterEphemeral - afterDurable).isEqualTo(50 * 10);
  }
}
