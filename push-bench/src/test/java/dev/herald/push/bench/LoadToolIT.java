package dev.herald.push.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the packaged load tool end to end at a tiny size, as {@code docs/benchmarks.md} tells a user
 * to: real server and client JVMs, every implementation. It checks that the tool works and that
 * what it measures holds (nothing lost, a reconnect storm resumes exactly); it asserts no
 * performance figure.
 */
class LoadToolIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void everyImplementationRunsAndHeraldResumesAStormWithoutLoss() throws Exception {
    Path out = Path.of("target", "load-tool-it");
    run(
        out.resolve("herald"),
        "--scenarios",
        "idle,broadcast,storm,resume",
        "--protocols",
        "herald-ws,herald-sse,herald-ndjson,herald-poll",
        "--sizes",
        "20",
        "--idle-warmup",
        "20",
        // Memory per connection is not checked here, so the warm-up need not wait for stale ones.
        "--idle-settle",
        "1");
    run(
        out.resolve("baselines"),
        "--scenarios",
        "idle,chat",
        "--protocols",
        "raw-ws,raw-sse,raw-poll,cometd-ws",
        "--sizes",
        "100",
        "--idle-warmup",
        "100",
        "--idle-settle",
        "1");

    // An outside publisher: POST /push/publish (and the raw floor's /raw/publish), pipelined.
    run(
        out.resolve("http-publisher"),
        "--scenarios",
        "broadcast",
        "--protocols",
        "herald-ws,raw-ws",
        "--sizes",
        "20",
        "--rates",
        "2000",
        "--publisher",
        "http");

    // Both servers at once, steps alternated; the CPU with and without the JIT compiler threads.
    // Without the full GC after the warm-ups, which the together run below has by default.
    run(
        out.resolve("paired"),
        "--scenarios",
        "paired",
        "--settle-gc",
        "false",
        "--protocols",
        "herald-ws,raw-ws",
        "--sizes",
        "100",
        "--rates",
        "2000",
        "--repeat",
        "1");
    // The same with both servers loaded at once.
    run(
        out.resolve("together"),
        "--scenarios",
        "paired",
        "--together",
        "true",
        "--protocols",
        "herald-sse,raw-sse",
        "--sizes",
        "100",
        "--rates",
        "2000",
        "--repeat",
        "1");
    for (String run : List.of("paired", "together")) {
      String protocol = run.equals("paired") ? "herald-ws" : "herald-sse";
      for (String step : List.of("paired broadcast 2000/s", "paired chat 1000/s")) {
        JsonNode paired = row(rows(out.resolve(run)), step, protocol);
        assertThat(paired.get("medianRatio").asDouble()).as(run + ": " + step).isPositive();
        assertThat(paired.get("medianRatioWithoutJit").asDouble())
            .as(run + ": " + step)
            .isPositive();
      }
    }
    assertThat(Files.readString(out.resolve("paired").resolve("paired.md")))
        .contains(
            "steps alternated",
            "no GC after the warm-ups",
            "| broadcast 2000/s |",
            "without the JIT compiler threads");
    assertThat(Files.readString(out.resolve("together").resolve("paired.md")))
        .contains(
            "servers loaded together",
            "a full GC after the warm-ups",
            "| broadcast 2000/s |",
            "ratios to raw-sse");

    for (String protocol : List.of("herald-ws", "raw-ws")) {
      JsonNode broadcast = row(rows(out.resolve("http-publisher")), "broadcast", protocol);
      assertThat(broadcast.get("delivered_2000").asDouble()).as(protocol).isPositive();
      assertThat(broadcast.get("lost_2000").asDouble()).as(protocol).isZero();
      assertThat(broadcast.get("publishFailed_2000").asDouble()).as(protocol).isZero();
    }
    List<JsonNode> herald = rows(out.resolve("herald"));
    for (String protocol : List.of("herald-ws", "herald-sse")) {
      JsonNode idle = row(herald, "idle", protocol);
      assertThat(idle.get("connected").asDouble()).isEqualTo(20);
      // Memory per connection is measured but not checked: at 20 connections GC noise outweighs it.
      assertThat(idle.has("heapPerConn")).isTrue();
      assertThat(row(herald, "broadcast", protocol).get("maxRate").asDouble()).isPositive();
      JsonNode storm = row(herald, "storm", protocol);
      assertThat(storm.get("reconnected").asDouble()).isEqualTo(20);
      assertThat(storm.get("lost").asDouble()).isZero();
      assertThat(storm.get("duplicates").asDouble()).isZero();
      assertThat(storm.get("resets").asDouble()).isZero();
      // Every client left, missed 100 messages, came back and got exactly those.
      JsonNode resume = row(herald, "resume", protocol);
      assertThat(resume.get("reconnected").asDouble()).as(protocol).isEqualTo(20);
      assertThat(resume.get("received").asDouble()).as(protocol).isEqualTo(2000);
      assertThat(resume.get("lost").asDouble()).as(protocol).isZero();
      assertThat(resume.get("duplicates").asDouble()).as(protocol).isZero();
      assertThat(resume.get("resets").asDouble()).as(protocol).isZero();
      // Measured, not checked: 20 clients cost a few clock ticks at most.
      assertThat(resume.has("cpuMillisPerClient")).as(protocol).isTrue();
    }
    // Idle only: held connections, counted by the server.
    for (String protocol : List.of("herald-ndjson", "herald-poll")) {
      assertThat(row(herald, "idle", protocol).get("connected").asDouble()).isEqualTo(20);
      assertThat(herald.stream().filter(r -> r.get("protocol").asText().equals(protocol)))
          .as("idle only")
          .allMatch(r -> r.get("scenario").asText().equals("idle"));
    }
    assertThat(row(baselines(out), "idle", "raw-poll").get("connected").asDouble()).isEqualTo(100);
    List<JsonNode> baselines = baselines(out);
    for (String protocol : List.of("raw-ws", "raw-sse", "cometd-ws")) {
      assertThat(row(baselines, "idle", protocol).get("connected").asDouble()).isEqualTo(100);
      JsonNode chat = row(baselines, "chat", protocol);
      assertThat(chat.get("rate").asDouble()).isPositive();
      assertThat(chat.get("lost").asDouble()).isZero();
    }
    assertThat(Files.readString(out.resolve("herald").resolve("results.md")))
        .contains(
            "## Idle connections",
            "## Broadcast 1→N",
            "## Reconnect storm",
            "## Resuming clients",
            "| herald-ws |");
  }

  private static void run(Path out, String... options) throws IOException, InterruptedException {
    Path jar = Path.of("target", "push-bench.jar");
    assertThat(jar).exists();
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(
        List.of(
            "-jar",
            jar.toString(),
            "run",
            "--quick",
            "true",
            "--step-seconds",
            "1",
            "--warmup-seconds",
            "1"));
    cmd.addAll(List.of("--out", out.toString()));
    // Small heaps: this checks the tool, not the figures.
    cmd.addAll(List.of("--server-jvm", "-Xmx512m", "--client-jvm", "-Xmx256m"));
    cmd.addAll(List.of(options));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] output = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(new String(output)).isZero();
  }

  private static List<JsonNode> baselines(Path out) throws IOException {
    return rows(out.resolve("baselines"));
  }

  private static List<JsonNode> rows(Path out) throws IOException {
    List<JsonNode> rows = new ArrayList<>();
    for (String line : Files.readAllLines(out.resolve("results.jsonl"))) {
      rows.add(JSON.readTree(line));
    }
    return rows;
  }

  private static JsonNode row(List<JsonNode> rows, String scenario, String protocol) {
    return rows.stream()
        .filter(r -> r.get("scenario").asText().equals(scenario))
        .filter(r -> r.get("protocol").asText().equals(protocol))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + scenario + " row for " + protocol));
  }
}
