package dev.herald.push.bench.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * One load-client process: many subscriber connections on one selector thread, written to cost the
 * machine as little as possible per delivery (no framework, no JSON parsing: each message is found
 * by one byte search for its {@code "bench":"SEQ.NANOS"} field), so that the client is not what
 * limits the measurement.
 *
 * <p>It speaks just enough HTTP/1.1, WebSocket (RFC 6455), SSE, NDJSON, long polling and Bayeux for
 * each {@link Protocol}. For every message it records the latency from the publisher's
 * <em>intended</em> send time into an HdrHistogram and checks the channel's sequence: a jump
 * forward is a loss, a step back a duplicate.
 *
 * <p>It is driven by the load tool over stdin, one command per line, and answers on stdout:
 *
 * <ul>
 *   <li>{@code RESET}: starts a measurement window (histogram and delivery count to zero).
 *   <li>{@code REPORT p0,p1,…}: given the messages published so far per channel, prints {@code
 *       REPORT {json}} with deliveries in the window, losses and duplicates since the start, and
 *       the window's histogram.
 *   <li>{@code SLOW}: the slow clients ({@code --slow} fraction) stop reading.
 *   <li>{@code DROP}: every connection closes at once and reconnects, resuming from its cursor.
 *   <li>{@code AWAY}: every connection closes at once and stays closed until {@code BACK}, which
 *       reconnects them all, each resuming from its cursor.
 *   <li>{@code QUIT}.
 * </ul>
 *
 * When all connections are subscribed (at start and after a {@code DROP}) it prints {@code
 * CONNECTED ready=N failed=M}.
 */
public final class LoadClient {
  private static final int HEADERS = 1;
  private static final int BODY = 2;
  private static final int CLOSED = 3;

  private static final byte[] BENCH = ascii("\"bench\":\"");
  private static final byte[] CURSOR = ascii("\"cursor\":\"");
  private static final byte[] CLIENT_ID = ascii("\"clientId\":\"");
  private static final byte[] META_HANDSHAKE = ascii("\"/meta/handshake\"");
  private static final byte[] META_CONNECT = ascii("\"/meta/connect\"");
  private static final byte[] META_SUBSCRIBE = ascii("\"/meta/subscribe\"");
  private static final byte[] CRLFCRLF = ascii("\r\n\r\n");
  private static final byte[] CHUNKED = ascii("chunked");
  private static final byte[] CONTENT_LENGTH = ascii("content-length:");

  private final Protocol protocol;
  private final InetSocketAddress address;
  private final String hostHeader;
  private final int channels;
  private final int maxPending;
  private final Conn[] conns;
  private final Selector selector;
  private final Histogram histogram = new Histogram(TimeUnit.MINUTES.toMicros(5), 3);
  private final ConcurrentLinkedQueue<String> commands = new ConcurrentLinkedQueue<>();
  private final ArrayDeque<Conn> toConnect = new ArrayDeque<>();
  private final ArrayDeque<Conn> away = new ArrayDeque<>();

  private int pending;
  private int ready;
  private int failed;
  private int closedByServer;
  private int slowClosed;
  private long received;
  private long gaps;
  private long duplicates;
  private long resets;
  private boolean slowActive;
  private boolean announced;
  private int errorsShown;

  LoadClient(
      Protocol protocol,
      String host,
      int port,
      int connections,
      int channels,
      int first,
      double slowFraction,
      int maxPending)
      throws IOException {
    this.protocol = protocol;
    this.address = new InetSocketAddress(host, port);
    this.hostHeader = host + ":" + port;
    this.channels = channels;
    this.maxPending = maxPending;
    this.selector = Selector.open();
    this.conns = new Conn[connections];
    int slowEvery = slowFraction > 0 ? (int) Math.round(1 / slowFraction) : 0;
    for (int i = 0; i < connections; i++) {
      int global = first + i;
      boolean slow = slowEvery > 0 && global % slowEvery == slowEvery - 1;
      conns[i] = new Conn(global % channels, slow);
      toConnect.add(conns[i]);
    }
  }

  /** {@code client --protocol P --port N [--host H] [--connections N] [--channels C] …}. */
  public static void main(String[] args) throws IOException {
    Args a = new Args(args);
    LoadClient client =
        new LoadClient(
            Protocol.of(a.string("--protocol", "herald-ws")),
            a.string("--host", "127.0.0.1"),
            a.integer("--port", 8090),
            a.integer("--connections", 1000),
            a.integer("--channels", 1),
            a.integer("--first", 0),
            Double.parseDouble(a.string("--slow", "0")),
            a.integer("--max-pending", 500));
    client.run();
  }

  void run() throws IOException {
    Thread stdin =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  commands.add(line.trim());
                  selector.wakeup();
                }
              } catch (IOException e) {
                // The load tool went away: quit below.
              }
              commands.add("QUIT");
              selector.wakeup();
            },
            "stdin");
    stdin.setDaemon(true);
    stdin.start();
    while (true) {
      startConnections();
      selector.select(100);
      long now = System.nanoTime();
      Iterator<SelectionKey> it = selector.selectedKeys().iterator();
      while (it.hasNext()) {
        SelectionKey key = it.next();
        it.remove();
        Conn c = (Conn) key.attachment();
        try {
          if (!key.isValid()) {
            continue;
          }
          if (key.isConnectable()) {
            c.channel.finishConnect();
            key.interestOps(SelectionKey.OP_READ);
            sendRequest(c);
          }
          if (key.isValid() && key.isWritable()) {
            flushOut(c);
          }
          if (key.isValid() && key.isReadable()) {
            read(c, now);
          }
        } catch (IOException | RuntimeException e) {
          lost(c, e);
        }
      }
      String command;
      while ((command = commands.poll()) != null) {
        if (!execute(command)) {
          return;
        }
      }
      if (!announced
          && ready + failed == conns.length
          && toConnect.isEmpty()
          && away.isEmpty()
          && pending == 0) {
        announced = true;
        System.out.println("CONNECTED ready=" + ready + " failed=" + failed);
        System.out.flush();
      }
    }
  }

  // ---- commands

  private boolean execute(String command) throws IOException {
    String[] parts = command.split(" ", 2);
    switch (parts[0]) {
      case "RESET" -> {
        histogram.reset();
        received = 0;
      }
      case "REPORT" -> report(parts.length > 1 ? parts[1] : "");
      case "SLOW" -> {
        slowActive = true;
        for (Conn c : conns) {
          if (c.slow && c.key != null && c.key.isValid()) {
            c.key.interestOps(0);
          }
        }
      }
      case "DROP" -> closeReady(toConnect);
      case "AWAY" -> closeReady(away);
      case "BACK" -> {
        toConnect.addAll(away);
        away.clear();
      }
      case "QUIT" -> {
        for (Conn c : conns) {
          c.close();
        }
        System.out.flush();
        return false;
      }
      default -> System.err.println("unknown command: " + command);
    }
    return true;
  }

  /** Closes every ready connection at once and queues it in {@code then}. */
  private void closeReady(ArrayDeque<Conn> then) {
    for (Conn c : conns) {
      if (c.state != CLOSED && c.ready) {
        c.close();
        ready--;
        c.ready = false;
        then.add(c);
      }
    }
    announced = false;
  }

  private void report(String publishedList) {
    long[] published = new long[channels];
    if (!publishedList.isEmpty()) {
      String[] values = publishedList.split(",");
      for (int i = 0; i < values.length && i < channels; i++) {
        published[i] = Long.parseLong(values[i]);
      }
    }
    long behind = 0;
    for (Conn c : conns) {
      if (!c.everReady || (c.slow && slowActive)) {
        continue;
      }
      behind += Math.max(0, published[c.channelIndex] - c.lastSeq);
    }
    ByteBuffer buf = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
    int n = histogram.encodeIntoCompressedByteBuffer(buf);
    String hist = Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buf.array(), n));
    System.out.println(
        "REPORT {\"received\":"
            + received
            + ",\"lost\":"
            + (gaps + behind)
            + ",\"gaps\":"
            + gaps
            + ",\"behind\":"
            + behind
            + ",\"duplicates\":"
            + duplicates
            + ",\"resets\":"
            + resets
            + ",\"ready\":"
            + ready
            + ",\"failed\":"
            + failed
            + ",\"closedByServer\":"
            + closedByServer
            + ",\"slowClosed\":"
            + slowClosed
            + ",\"histogram\":\""
            + hist
            + "\"}");
    System.out.flush();
  }

  // ---- connecting

  private void startConnections() {
    while (pending < maxPending && !toConnect.isEmpty()) {
      Conn c = toConnect.poll();
      pending++;
      c.reset();
      try {
        SocketChannel ch = SocketChannel.open();
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        if (c.slow) {
          ch.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
        }
        c.channel = ch;
        boolean connected = ch.connect(address);
        c.key =
            ch.register(selector, connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, c);
        if (connected) {
          sendRequest(c);
        }
      } catch (IOException | RuntimeException e) {
        lost(c, e);
      }
    }
  }

  private void sendRequest(Conn c) throws IOException {
    String path =
        switch (protocol) {
          case HERALD_WS -> "/push/ws";
          case HERALD_SSE -> "/push/sse?channel=bench/" + c.channelIndex;
          case HERALD_NDJSON -> "/push/stream?channel=bench/" + c.channelIndex;
          case HERALD_POLL ->
              "/push/poll?channel=bench/"
                  + c.channelIndex
                  + (c.cursor == null ? "&timeout=0" : "&since=" + c.cursor);
          case RAW_WS -> "/raw/ws?channel=" + c.channelIndex;
          case RAW_SSE -> "/raw/sse?channel=" + c.channelIndex;
          case RAW_POLL -> "/raw/poll?channel=" + c.channelIndex;
          case COMETD_WS -> "/cometd";
        };
    StringBuilder req = new StringBuilder(256);
    req.append("GET ").append(path).append(" HTTP/1.1\r\nHost: ").append(hostHeader);
    if (protocol.webSocket()) {
      req.append("\r\nUpgrade: websocket\r\nConnection: Upgrade")
          .append("\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13");
    } else if (protocol == Protocol.HERALD_SSE || protocol == Protocol.RAW_SSE) {
      req.append("\r\nAccept: text/event-stream");
      if (c.cursor != null) {
        req.append("\r\nLast-Event-ID: ").append(c.cursor);
      }
    }
    req.append("\r\n\r\n");
    c.state = HEADERS;
    write(c, ascii(req.toString()));
    // A held poll says nothing until it ends: it counts as connected once it is asked.
    if (protocol == Protocol.RAW_POLL || protocol == Protocol.HERALD_POLL && c.cursor != null) {
      markReady(c);
    }
  }

  private void markReady(Conn c) {
    if (!c.ready) {
      c.ready = true;
      c.everReady = true;
      ready++;
      pending--;
    }
  }

  private void lost(Conn c, Exception e) {
    if (c.state == CLOSED) {
      return;
    }
    boolean wasReady = c.ready;
    c.close();
    if (wasReady) {
      ready--;
      c.ready = false;
      if (c.slow && slowActive) {
        slowClosed++;
      } else {
        closedByServer++;
      }
    } else {
      pending--;
      failed++;
    }
    if (errorsShown < 5 && !(c.slow && slowActive)) {
      errorsShown++;
      System.err.println("connection lost: " + (e == null ? "closed by server" : e.toString()));
    }
  }

  // ---- reading

  private void read(Conn c, long now) throws IOException {
    for (int round = 0; round < 8; round++) {
      if (c.inLen == c.in.length) {
        c.in = java.util.Arrays.copyOf(c.in, c.in.length * 2);
      }
      int space = c.in.length - c.inLen;
      int n = c.channel.read(ByteBuffer.wrap(c.in, c.inLen, space));
      if (n < 0) {
        lost(c, null);
        return;
      }
      if (n == 0) {
        return;
      }
      c.inLen += n;
      int used = parse(c, now);
      if (c.state == CLOSED) {
        return;
      }
      if (used > 0) {
        System.arraycopy(c.in, used, c.in, 0, c.inLen - used);
        c.inLen -= used;
      }
      if (n < space) {
        return;
      }
    }
  }

  /** Parses what is buffered; returns how many bytes were consumed. */
  private int parse(Conn c, long now) throws IOException {
    byte[] b = c.in;
    int p = 0;
    if (c.state == HEADERS) {
      int end = indexOf(b, 0, c.inLen, CRLFCRLF);
      if (end < 0) {
        return 0;
      }
      int status = (b[9] - '0') * 100 + (b[10] - '0') * 10 + (b[11] - '0');
      if (status != (protocol.webSocket() ? 101 : 200)) {
        String head = new String(b, 0, end, StandardCharsets.ISO_8859_1);
        lost(c, new IOException("HTTP " + status + ": " + head.lines().findFirst().orElse("")));
        return 0;
      }
      c.chunked = indexOfIgnoreCase(b, 0, end, CHUNKED) >= 0;
      c.contentLength = contentLength(b, end);
      c.state = BODY;
      p = end + 4;
      switch (protocol) {
        case RAW_WS, RAW_SSE -> markReady(c);
        case COMETD_WS ->
            sendText(
                c,
                "[{\"id\":\"1\",\"channel\":\"/meta/handshake\",\"version\":\"1.0\","
                    + "\"minimumVersion\":\"1.0\",\"supportedConnectionTypes\":[\"websocket\"]}]");
        default -> {}
      }
    }
    if (protocol == Protocol.HERALD_POLL || protocol == Protocol.RAW_POLL) {
      return parsePollAnswer(c, p);
    }
    return protocol.webSocket() ? parseFrames(c, p, now) : parseStream(c, p, now);
  }

  /**
   * A poll's answer, once it is complete: its cursor (the last one in the body, the answer's own)
   * is where the next poll starts, asked at once on the same connection.
   */
  private int parsePollAnswer(Conn c, int p) throws IOException {
    if (c.contentLength < 0) {
      lost(c, new IOException("a poll answer without Content-Length"));
      return p;
    }
    if (c.inLen - p < c.contentLength) {
      return p;
    }
    int end = p + c.contentLength;
    String cursor = lastStringAfter(c.in, p, end, CURSOR);
    if (cursor != null) {
      c.cursor = cursor;
    }
    sendRequest(c);
    return end;
  }

  /** The Content-Length in the head {@code b[0..end)}, or -1. */
  private static int contentLength(byte[] b, int end) {
    int at = indexOfIgnoreCase(b, 0, end, CONTENT_LENGTH);
    if (at < 0) {
      return -1;
    }
    int i = at + CONTENT_LENGTH.length;
    while (i < end && b[i] == ' ') {
      i++;
    }
    int n = 0;
    while (i < end && b[i] >= '0' && b[i] <= '9') {
      n = n * 10 + (b[i++] - '0');
    }
    return n;
  }

  private int parseFrames(Conn c, int p, long now) throws IOException {
    byte[] b = c.in;
    int len = c.inLen;
    while (len - p >= 2) {
      int opcode = b[p] & 0x0F;
      int l7 = b[p + 1] & 0x7F;
      int header;
      long size;
      if (l7 < 126) {
        header = 2;
        size = l7;
      } else if (l7 == 126) {
        header = 4;
        if (len - p < 4) {
          break;
        }
        size = ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF);
      } else {
        header = 10;
        if (len - p < 10) {
          break;
        }
        size = 0;
        for (int i = 2; i < 10; i++) {
          size = (size << 8) | (b[p + i] & 0xFF);
        }
      }
      if (len - p < header + size) {
        int need = (int) (header + size);
        if (need > c.in.length) {
          c.in = java.util.Arrays.copyOf(c.in, Integer.highestOneBit(need) * 2);
        }
        break;
      }
      int start = p + header;
      int end = (int) (start + size);
      switch (opcode) {
        case 0x0, 0x1 -> onText(c, b, start, end, now);
        case 0x8 -> {
          lost(c, null);
          return end;
        }
        case 0x9 -> sendFrame(c, 0x8A, b, start, end - start);
        default -> {}
      }
      p = end;
    }
    return p;
  }

  private void onText(Conn c, byte[] b, int start, int end, long now) throws IOException {
    switch (protocol) {
      case RAW_WS -> message(c, b, start, end, now);
      case HERALD_WS -> {
        // {"type":"X…: the type's first letters tell the frames apart.
        byte t0 = b[start + 9];
        byte t2 = b[start + 11];
        if (t0 == 'm') {
          message(c, b, start, end, now);
          c.cursor = stringAfter(b, start, end, CURSOR);
        } else if (t0 == 'r' && t2 == 'a') {
          String sub = "{\"type\":\"subscribe\",\"channel\":\"bench/" + c.channelIndex + "\"";
          if (c.cursor != null) {
            sub += ",\"since\":\"" + c.cursor + "\"";
          }
          sendText(c, sub + "}");
        } else if (t0 == 's') {
          c.cursor = stringAfter(b, start, end, CURSOR);
          markReady(c);
        } else if (t0 == 'r') {
          resets++;
          c.cursor = stringAfter(b, start, end, CURSOR);
        } else if (t0 == 'e') {
          showError(b, start, end);
        }
      }
      case COMETD_WS -> {
        // One frame may hold several Bayeux messages: data, and replies to connect and subscribe.
        message(c, b, start, end, now);
        if (indexOf(b, start, end, META_HANDSHAKE) >= 0) {
          c.clientId = stringAfter(b, start, end, CLIENT_ID);
          if (c.clientId == null) {
            showError(b, start, end);
            return;
          }
          connectCometd(c, true);
          return;
        }
        if (indexOf(b, start, end, META_SUBSCRIBE) >= 0) {
          markReady(c);
        }
        if (indexOf(b, start, end, META_CONNECT) >= 0) {
          connectCometd(c, false);
        }
      }
      default -> throw new IllegalStateException();
    }
  }

  private void connectCometd(Conn c, boolean first) throws IOException {
    String connect =
        "{\"id\":\""
            + (++c.messageId)
            + "\",\"channel\":\"/meta/connect\",\"connectionType\":\"websocket\",\"clientId\":\""
            + c.clientId
            + (first ? "\",\"advice\":{\"timeout\":0}}" : "\"}");
    if (first) {
      sendText(
          c,
          "["
              + connect
              + ",{\"id\":\""
              + (++c.messageId)
              + "\",\"channel\":\"/meta/subscribe\",\"subscription\":\"/bench/"
              + c.channelIndex
              + "\",\"clientId\":\""
              + c.clientId
              + "\"}]");
    } else {
      sendText(c, "[" + connect + "]");
    }
  }

  /** SSE over HTTP/1.1, chunked or not. */
  private int parseStream(Conn c, int p, long now) {
    byte[] b = c.in;
    int len = c.inLen;
    if (!c.chunked) {
      appendEvent(c, b, p, len - p, now);
      return len;
    }
    while (p < len) {
      if (c.chunkRemaining > 0) {
        int k = Math.min(c.chunkRemaining, len - p);
        appendEvent(c, b, p, k, now);
        p += k;
        c.chunkRemaining -= k;
        if (c.chunkRemaining == 0) {
          c.chunkRemaining = -2; // the CRLF after the data
        }
      } else if (c.chunkRemaining == -2) {
        if (len - p < 2) {
          break;
        }
        p += 2;
        c.chunkRemaining = 0;
      } else {
        int eol = indexOf(b, p, len, CRLFCRLF, 2);
        if (eol < 0) {
          break;
        }
        int size = 0;
        for (int i = p; i < eol; i++) {
          int d = Character.digit(b[i], 16);
          if (d < 0) {
            break;
          }
          size = size * 16 + d;
        }
        p = eol + 2;
        if (size == 0) {
          lost(c, null);
          return p;
        }
        c.chunkRemaining = size;
      }
    }
    return p;
  }

  private void appendEvent(Conn c, byte[] src, int from, int n, long now) {
    if (c.evLen + n > c.ev.length) {
      c.ev = java.util.Arrays.copyOf(c.ev, Math.max(c.ev.length * 2, c.evLen + n));
    }
    System.arraycopy(src, from, c.ev, c.evLen, n);
    int scanFrom = Math.max(0, c.evLen - 1);
    c.evLen += n;
    byte[] e = c.ev;
    int start = 0;
    if (protocol == Protocol.HERALD_NDJSON) {
      // One frame per line.
      for (int i = Math.max(0, scanFrom); i < c.evLen; i++) {
        if (e[i] == '\n') {
          onLine(c, e, start, i);
          start = i + 1;
        }
      }
    } else {
      for (int i = scanFrom; i < c.evLen - 1; i++) {
        if (e[i] == '\n' && e[i + 1] == '\n') {
          onEvent(c, e, start, i + 1, now);
          start = i + 2;
          i++;
        }
      }
    }
    if (start > 0) {
      System.arraycopy(e, start, e, 0, c.evLen - start);
      c.evLen -= start;
    }
  }

  private void onEvent(Conn c, byte[] e, int start, int end, long now) {
    if (protocol == Protocol.RAW_SSE) {
      message(c, e, start, end, now);
      return;
    }
    if (e[start] == ':') {
      return; // heartbeat
    }
    String id = null;
    if (e[start] == 'i' && e[start + 1] == 'd') {
      int eol = start;
      while (eol < end && e[eol] != '\n') {
        eol++;
      }
      id = new String(e, start + 4, eol - start - 4, StandardCharsets.US_ASCII);
    }
    boolean ready = indexOf(e, start, end, ascii("event: ready")) >= 0;
    boolean reset = !ready && indexOf(e, start, end, ascii("event: reset")) >= 0;
    if (id != null) {
      c.cursor = id;
    }
    if (ready) {
      markReady(c);
    } else if (reset) {
      resets++;
    } else if (indexOf(e, start, end, ascii("event: error")) >= 0) {
      showError(e, start, end);
    } else {
      message(c, e, start, end, now);
    }
  }

  /** One NDJSON frame; the stream is idle, so only its start and errors matter. */
  private void onLine(Conn c, byte[] e, int start, int end) {
    // {"type":"X…: the type's first letter tells the frames apart.
    byte t0 = end - start > 9 ? e[start + 9] : 0;
    if (t0 == 'r' && indexOf(e, start, end, ascii("\"type\":\"ready\"")) >= 0) {
      c.cursor = stringAfter(e, start, end, CURSOR);
      markReady(c);
    } else if (t0 == 'e') {
      showError(e, start, end);
    }
  }

  /** Records every {@code "bench":"SEQ.NANOS"} in the range (a Bayeux frame may hold several). */
  private void message(Conn c, byte[] b, int start, int end, long now) {
    int at = start;
    while ((at = indexOf(b, at, end, BENCH)) >= 0) {
      int i = at + BENCH.length;
      long seq = 0;
      while (b[i] != '.') {
        seq = seq * 10 + (b[i++] - '0');
      }
      i++;
      long sent = 0;
      while (b[i] != '"') {
        sent = sent * 10 + (b[i++] - '0');
      }
      at = i;
      if (c.slow && slowActive) {
        continue;
      }
      if (seq <= c.lastSeq) {
        duplicates++;
        continue;
      }
      if (seq > c.lastSeq + 1) {
        gaps += seq - c.lastSeq - 1;
      }
      c.lastSeq = seq;
      received++;
      long micros = Math.max(0, (now - sent) / 1000);
      histogram.recordValue(Math.min(micros, histogram.getHighestTrackableValue()));
    }
  }

  private void showError(byte[] b, int start, int end) {
    if (errorsShown < 5) {
      errorsShown++;
      System.err.println(
          "server said: " + new String(b, start, end - start, StandardCharsets.UTF_8));
    }
  }

  // ---- writing

  private void sendText(Conn c, String text) throws IOException {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    sendFrame(c, 0x81, payload, 0, payload.length);
  }

  /** A client frame, masked with a zero key (the XOR leaves the payload as it is). */
  private void sendFrame(Conn c, int first, byte[] payload, int from, int n) throws IOException {
    int header = n < 126 ? 6 : 8;
    byte[] frame = new byte[header + n];
    frame[0] = (byte) first;
    if (n < 126) {
      frame[1] = (byte) (0x80 | n);
    } else {
      frame[1] = (byte) (0x80 | 126);
      frame[2] = (byte) (n >>> 8);
      frame[3] = (byte) n;
    }
    System.arraycopy(payload, from, frame, header, n);
    write(c, frame);
  }

  private void write(Conn c, byte[] bytes) throws IOException {
    if (c.out != null) {
      c.out = concat(c.out, bytes);
      return;
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    c.channel.write(buf);
    if (buf.hasRemaining()) {
      c.out = java.util.Arrays.copyOfRange(bytes, buf.position(), bytes.length);
      c.key.interestOps(c.key.interestOps() | SelectionKey.OP_WRITE);
    }
  }

  private void flushOut(Conn c) throws IOException {
    if (c.out == null) {
      c.key.interestOps(c.key.interestOps() & ~SelectionKey.OP_WRITE);
      return;
    }
    ByteBuffer buf = ByteBuffer.wrap(c.out);
    c.channel.write(buf);
    if (buf.hasRemaining()) {
      c.out = java.util.Arrays.copyOfRange(c.out, buf.position(), c.out.length);
    } else {
      c.out = null;
      c.key.interestOps(c.key.interestOps() & ~SelectionKey.OP_WRITE);
    }
  }

  // ---- bytes

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  static int indexOf(byte[] b, int from, int to, byte[] pattern) {
    return indexOf(b, from, to, pattern, pattern.length);
  }

  /** The first index of {@code pattern[0..n)} in {@code b[from..to)}, or -1. */
  static int indexOf(byte[] b, int from, int to, byte[] pattern, int n) {
    byte first = pattern[0];
    outer:
    for (int i = from; i <= to - n; i++) {
      if (b[i] != first) {
        continue;
      }
      for (int j = 1; j < n; j++) {
        if (b[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static int indexOfIgnoreCase(byte[] b, int from, int to, byte[] lower) {
    outer:
    for (int i = from; i <= to - lower.length; i++) {
      for (int j = 0; j < lower.length; j++) {
        if (Character.toLowerCase(b[i + j]) != lower[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** The JSON string value that follows {@code key} (which ends with its opening quote). */
  private static String stringAfter(byte[] b, int from, int to, byte[] key) {
    int at = indexOf(b, from, to, key);
    if (at < 0) {
      return null;
    }
    int s = at + key.length;
    int e = s;
    while (e < to && b[e] != '"') {
      e++;
    }
    return new String(b, s, e - s, StandardCharsets.US_ASCII);
  }

  /** The last JSON string value that follows {@code key} in the range, or {@code null}. */
  private static String lastStringAfter(byte[] b, int from, int to, byte[] key) {
    String last = null;
    int at = from;
    while ((at = indexOf(b, at, to, key)) >= 0) {
      last = stringAfter(b, at, to, key);
      at += key.length;
    }
    return last;
  }

  /** One subscriber connection. Confined to the selector thread. */
  private static final class Conn {
    final int channelIndex;
    final boolean slow;
    SocketChannel channel;
    SelectionKey key;
    int state = CLOSED;
    boolean ready;
    boolean everReady;
    byte[] in = new byte[4096];
    int inLen;
    byte[] ev = new byte[1024];
    int evLen;
    boolean chunked;
    int contentLength;
    int chunkRemaining;
    byte[] out;
    long lastSeq;
    String cursor;
    String clientId;
    int messageId;

    Conn(int channelIndex, boolean slow) {
      this.channelIndex = channelIndex;
      this.slow = slow;
    }

    void reset() {
      inLen = 0;
      evLen = 0;
      chunked = false;
      contentLength = -1;
      chunkRemaining = 0;
      out = null;
      clientId = null;
    }

    void close() {
      state = CLOSED;
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException e) {
          // Closing anyway.
        }
      }
    }
  }
}
