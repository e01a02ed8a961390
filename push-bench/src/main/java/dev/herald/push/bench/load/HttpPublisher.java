package dev.herald.push.bench.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A publisher outside the server: one process that publishes over HTTP, open loop at a fixed rate,
 * with its requests pipelined on one persistent HTTP/1.1 connection, as an application's backend
 * would publish through Herald's {@code POST /push/publish}.
 *
 * <p>Message {@code i} is due at {@code start + i / rate} and carries that intended time, in the
 * same {@code {"bench":"SEQ.NANOS","p":"xxx…"}} object as the server's own publisher, so the load
 * clients measure it the same way. To Herald it sends {@code {"channel":"bench/C","event":"m",
 * "data":MESSAGE}}; to the raw target {@code POST /raw/publish?channel=C} with the message as the
 * body. A second thread reads the answers and counts those that are not 2xx as failures.
 *
 * <p>Driven by the load tool over stdin, one command per line, answering on stdout:
 *
 * <ul>
 *   <li>{@code PUBLISH channels rate seconds size}: one open-loop run; once every answer is in (or
 *       30 seconds after the last request), prints {@code DONE sent=N ok=N failed=N maxLagMs=L
 *       published=p0,p1,…}, the last being the messages sent so far per channel.
 *   <li>{@code QUIT}.
 * </ul>
 *
 * Not thread-safe: one run at a time, driven from the main thread.
 */
public final class HttpPublisher {
  private static final byte[] CRLFCRLF = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private final InetSocketAddress address;
  private final boolean herald;
  private final String host;
  private long[] sequences = new long[0];
  private SocketChannel channel;
  private final AtomicLong answered = new AtomicLong();
  private final AtomicLong ok = new AtomicLong();
  private volatile boolean broken;
  private int failuresShown;

  private HttpPublisher(String host, int port, String impl) {
    this.address = new InetSocketAddress(host, port);
    this.host = host + ":" + port;
    this.herald =
        switch (impl) {
          case "herald" -> true;
          case "raw" -> false;
          default ->
              throw new IllegalArgumentException(
                  "the http publisher publishes to herald or raw only, not " + impl);
        };
  }

  /** {@code publisher --impl herald|raw --port N [--host H]}. */
  public static void main(String[] args) throws Exception {
    Args a = new Args(args);
    HttpPublisher p =
        new HttpPublisher(
            a.string("--host", "127.0.0.1"),
            a.integer("--port", 8090),
            a.string("--impl", "herald"));
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      String[] w = line.trim().split("\\s+");
      if ("QUIT".equals(w[0])) {
        break;
      }
      if ("PUBLISH".equals(w[0]) && w.length == 5) {
        String done =
            p.run(
                Integer.parseInt(w[1]),
                Double.parseDouble(w[2]),
                Double.parseDouble(w[3]),
                Integer.parseInt(w[4]));
        System.out.println(done);
        System.out.flush();
      } else {
        System.err.println("unknown command: " + line);
      }
    }
    p.close();
  }

  private String run(int channels, double rate, double seconds, int size) throws Exception {
    if (sequences.length < channels) {
      sequences = Arrays.copyOf(sequences, channels);
    }
    if (channel == null || broken) {
      connect();
    }
    long answeredBefore = answered.get();
    long okBefore = ok.get();
    long total = Math.round(rate * seconds);
    String padding = "x".repeat(Math.max(1, size - 40));
    double interval = 1e9 / rate;
    long start = System.nanoTime() + 1_000_000;
    long maxLag = 0;
    long sent = 0;
    StringBuilder msg = new StringBuilder(padding.length() + 128);
    ByteBuffer out = ByteBuffer.allocate(64 * 1024);
    for (long i = 0; i < total && !broken; i++) {
      long due = start + (long) (i * interval);
      long wait;
      while ((wait = due - System.nanoTime()) > 20_000) {
        LockSupport.parkNanos(wait - 10_000);
      }
      while (System.nanoTime() < due) {
        Thread.onSpinWait();
      }
      maxLag = Math.max(maxLag, System.nanoTime() - due);
      int c = (int) (i % channels);
      long s = ++sequences[c];
      msg.setLength(0);
      if (herald) {
        msg.append("{\"channel\":\"bench/").append(c).append("\",\"event\":\"m\",\"data\":");
      }
      msg.append("{\"bench\":\"").append(s).append('.').append(due);
      msg.append("\",\"p\":\"").append(padding).append("\"}");
      if (herald) {
        msg.append('}');
      }
      byte[] body = msg.toString().getBytes(StandardCharsets.UTF_8);
      String head =
          (herald ? "POST /push/publish" : "POST /raw/publish?channel=" + c)
              + " HTTP/1.1\r\nHost: "
              + host
              + "\r\nContent-Type: application/json\r\nContent-Length: "
              + body.length
              + "\r\n\r\n";
      out.clear();
      out.put(head.getBytes(StandardCharsets.US_ASCII)).put(body).flip();
      try {
        while (out.hasRemaining()) {
          channel.write(out);
        }
        sent++;
      } catch (IOException e) {
        System.err.println("publish connection failed: " + e);
        broken = true;
      }
    }
    // The step ends once every publish is answered: the answers are counted by the reader
    // thread, so this polls its counter every 10 ms, for at most 30 s (the load tool's own
    // process has no condition to wait on; a few ms more at the step's end cost nothing).
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (answered.get() - answeredBefore < sent && !broken && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    long okCount = ok.get() - okBefore;
    StringBuilder published = new StringBuilder();
    for (int c = 0; c < sequences.length; c++) {
      published.append(c == 0 ? "" : ",").append(sequences[c]);
    }
    return String.format(
        Locale.ROOT,
        "DONE sent=%d ok=%d failed=%d maxLagMs=%.1f published=%s",
        sent,
        okCount,
        total - okCount,
        maxLag / 1e6,
        published);
  }

  private void connect() throws IOException {
    close();
    channel = SocketChannel.open(address);
    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
    broken = false;
    SocketChannel ch = channel;
    Thread reader = new Thread(() -> readAnswers(ch), "publisher-answers");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Reads the pipelined answers in order: a status line, headers, then a body of {@code
   * Content-Length} bytes or chunked.
   */
  private void readAnswers(SocketChannel ch) {
    ByteBuffer buf = ByteBuffer.allocate(256 * 1024);
    try {
      while (true) {
        buf.flip();
        int consumed;
        while ((consumed = oneAnswer(buf)) > 0) {
          buf.position(buf.position() + consumed);
        }
        buf.compact();
        if (!buf.hasRemaining()) {
          throw new IOException("an answer larger than " + buf.capacity() + " bytes");
        }
        if (ch.read(buf) < 0) {
          throw new IOException("the server closed the publish connection");
        }
      }
    } catch (IOException e) {
      if (ch.isOpen()) {
        System.err.println("publish answers: " + e.getMessage());
      }
      broken = true;
    }
  }

  /** Counts one complete answer at the buffer's position; returns its length, or 0 if partial. */
  private int oneAnswer(ByteBuffer buf) throws IOException {
    int from = buf.position();
    int end = indexOf(buf, CRLFCRLF, from, buf.limit());
    if (end < 0) {
      return 0;
    }
    String head = new String(buf.array(), from, end - from, StandardCharsets.ISO_8859_1);
    int bodyStart = end + 4;
    String[] lines = head.split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    long length = 0;
    boolean chunked = false;
    for (int i = 1; i < lines.length; i++) {
      String l = lines[i].toLowerCase(Locale.ROOT);
      if (l.startsWith("content-length:")) {
        length = Long.parseLong(l.substring(15).trim());
      } else if (l.startsWith("transfer-encoding:") && l.contains("chunked")) {
        chunked = true;
      }
    }
    int next;
    if (chunked) {
      next = chunkedEnd(buf, bodyStart);
      if (next < 0) {
        return 0;
      }
    } else {
      if (buf.limit() - bodyStart < length) {
        return 0;
      }
      next = bodyStart + (int) length;
    }
    answered.incrementAndGet();
    if (status >= 200 && status < 300) {
      ok.incrementAndGet();
    } else if (failuresShown++ < 10) {
      System.err.println("publish answered " + lines[0]);
    }
    return next - from;
  }

  /** Where a chunked body that starts at {@code at} ends, or -1 if it has not all arrived. */
  private static int chunkedEnd(ByteBuffer buf, int at) throws IOException {
    byte[] crlf = {'\r', '\n'};
    while (true) {
      int eol = indexOf(buf, crlf, at, buf.limit());
      if (eol < 0) {
        return -1;
      }
      String size = new String(buf.array(), at, eol - at, StandardCharsets.US_ASCII);
      int semi = size.indexOf(';');
      int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
      int after = eol + 2 + n + 2;
      if (after > buf.limit()) {
        return -1;
      }
      if (n == 0) {
        return after;
      }
      at = after;
    }
  }

  private static int indexOf(ByteBuffer buf, byte[] needle, int from, int to) {
    byte[] a = buf.array();
    outer:
    for (int i = from; i <= to - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (a[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private void close() throws IOException {
    if (channel != null) {
      channel.close();
    }
  }
}
