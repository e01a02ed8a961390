package dev.herald.push.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * The load clients of one measurement: as many {@link LoadClient} processes as the connection count
 * needs (each holds at most {@link #PER_PROCESS} sockets, well under the 20,000 open files a
 * process may have), pinned together to the client CPUs. Not thread-safe.
 */
final class ClientGroup implements AutoCloseable {
  static final int PER_PROCESS = 10_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<ChildProcess> procs = new ArrayList<>();

  /** What the clients saw, summed over the processes. */
  record Report(
      long received,
      long lost,
      long duplicates,
      long resets,
      long ready,
      long closedByServer,
      Histogram histogram) {
    double p(double percentile) {
      return histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    double maxMillis() {
      return histogram.getMaxValue() / 1000.0;
    }
  }

  ClientGroup(
      Settings s, Protocol protocol, int port, int connections, int channels, double slowFraction)
      throws IOException {
    int processes = (connections + PER_PROCESS - 1) / PER_PROCESS;
    int first = 0;
    for (int i = 0; i < processes; i++) {
      int n = connections / processes + (i < connections % processes ? 1 : 0);
      List<String> cmd = new ArrayList<>(s.pin(s.clientCpus()));
      cmd.add(s.java());
      cmd.addAll(s.clientJvm());
      cmd.addAll(List.of("-cp", s.jar(), "dev.herald.push.bench.Main", "client"));
      cmd.addAll(List.of("--protocol", protocol.label(), "--port", String.valueOf(port)));
      cmd.addAll(List.of("--connections", String.valueOf(n), "--first", String.valueOf(first)));
      cmd.addAll(List.of("--channels", String.valueOf(channels)));
      cmd.addAll(List.of("--slow", String.valueOf(slowFraction)));
      Path log = s.out().resolve("client-" + protocol.label() + "-" + i + ".log");
      Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
      procs.add(new ChildProcess(p, "load client"));
      first += n;
    }
  }

  /** Waits until every client has subscribed all its connections; returns how many did. */
  long awaitConnected(long timeoutSeconds) throws IOException, InterruptedException {
    long ready = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    for (ChildProcess p : procs) {
      String line = p.await("CONNECTED", deadline);
      ready += Long.parseLong(line.replaceAll(".*ready=(\\d+).*", "$1"));
    }
    return ready;
  }

  void send(String command) {
    for (ChildProcess p : procs) {
      p.send(command);
    }
  }

  /** Asks every client for its report, given the messages published per channel. */
  Report report(String published) throws IOException, InterruptedException {
    send("REPORT " + published);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    long received = 0;
    long lost = 0;
    long dups = 0;
    long resets = 0;
    long ready = 0;
    long closed = 0;
    Histogram all = new Histogram(TimeUnit.MINUTES.toMicros(5), 3);
    for (ChildProcess p : procs) {
      JsonNode r = JSON.readTree(p.await("REPORT", deadline).substring("REPORT ".length()));
      received += r.get("received").asLong();
      lost += r.get("lost").asLong();
      dups += r.get("duplicates").asLong();
      resets += r.get("resets").asLong();
      ready += r.get("ready").asLong();
      closed += r.get("closedByServer").asLong();
      byte[] h = Base64.getDecoder().decode(r.get("histogram").asText());
      try {
        all.add(Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(h), 0));
      } catch (DataFormatException e) {
        throw new IOException("bad histogram from a client", e);
      }
    }
    return new Report(received, lost, dups, resets, ready, closed, all);
  }

  @Override
  public void close() throws InterruptedException {
    send("QUIT");
    for (ChildProcess p : procs) {
      if (!p.process.waitFor(10, TimeUnit.SECONDS)) {
        p.process.destroyForcibly();
      }
    }
  }
}
