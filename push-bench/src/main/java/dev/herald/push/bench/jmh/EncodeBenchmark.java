package dev.herald.push.bench.jmh;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.push.Client;
import dev.herald.push.Cursor;
import dev.herald.push.Message;
import dev.herald.push.Position;
import dev.herald.push.PushHub;
import dev.herald.push.spi.Frame;
import dev.herald.push.spi.WireFormat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Encoding one message for 100 subscribers, each with its own cursor: building every subscriber's
 * frame from scratch against Herald's way of encoding the message once and adding only the cursor
 * per subscriber. The score is ns per subscriber frame ({@code @OperationsPerInvocation(100)}).
 *
 * <ul>
 *   <li>{@code jacksonPerSubscriber}: an {@code ObjectNode} per subscriber with every field (and
 *       the cursor on WebSocket; SSE carries it in the {@code id:} line only), written by Jackson.
 *       The payload is parsed once and shared as a tree, which favours this strategy.
 *   <li>{@code stringBuilderPerSubscriber}: the whole frame text built by hand per subscriber, with
 *       Jackson's string escaping, then encoded to UTF-8.
 *   <li>{@code sharedBody}: what Herald does. Once per message: the frame text without its cursor,
 *       as UTF-8 bytes ({@code EncodedMessage}); per subscriber: only the cursor bytes, a {@code
 *       ,"cursor":"…"}} tail on WebSocket or an {@code id:} line before the shared {@code data:}
 *       lines on SSE, in a {@link Frame} that references the shared body ({@code
 *       FrameEncoder.message}).
 * </ul>
 *
 * <p>{@code EncodedMessage} and {@code FrameEncoder} are package-private in {@code
 * dev.herald.push}, so this class reproduces them with public types ({@link Message}, {@link
 * Frame}). The reproduction is checked, not trusted: setup publishes the message through a real
 * {@link PushHub} to one subscriber, and all three strategies must produce exactly that
 * subscriber's frame bytes for its cursor, or setup fails. The per-subscriber strategies are given
 * the benefit of the doubt on SSE: they write their compact JSON after one {@code data: } prefix
 * without scanning it for line breaks, which compact JSON never holds.
 *
 * <p>Cursors are precomputed (two channels each, different per subscriber): their cost is the same
 * for all strategies and is measured by {@link CursorBenchmark}. Every frame goes to a {@link
 * Blackhole}.
 *
 * <p>Run: {@code java -cp push-bench/target/push-bench.jar org.openjdk.jmh.Main EncodeBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(EncodeBenchmark.SUBSCRIBERS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EncodeBenchmark {
  static final int SUBSCRIBERS = 100;
  static final String CHANNEL = "bench/encode";

  @Param({"WEBSOCKET", "SSE"})
  public WireFormat format;

  private final ObjectMapper mapper = new ObjectMapper();
  private Message message;
  private JsonNode dataTree;
  private final String[] cursors = new String[SUBSCRIBERS];

  @Setup(Level.Trial)
  public void setUp() throws JsonProcessingException {
    Frame real = publishThroughHub();
    dataTree = mapper.readTree(message.data());
    String cursor = real.cursor();
    byte[] expected = real.toBytes();
    check("jacksonPerSubscriber", jacksonFrame(cursor), expected);
    check("stringBuilderPerSubscriber", stringBuilderFrame(cursor), expected);
    check("sharedBody", SharedBody.of(message, format).frame(cursor), expected);

    for (int i = 0; i < SUBSCRIBERS; i++) {
      cursors[i] =
          Cursor.empty()
              .with(CHANNEL, message.position())
              .with("user/" + i + "/inbox", new Position("Hk3mW9qLp2", 17 + i))
              .encode();
    }
    System.out.printf(
        "%n[check] all strategies reproduce the hub's %d-byte %s frame: %s%n",
        expected.length, format, real.text().replace("\n", "\\n"));
  }

  /** Sets {@link #message} and returns the frame a real hub wrote for it. */
  private Frame publishThroughHub() {
    try (PushHub hub =
        PushHub.builder().executor(Runnable::run).heartbeatInterval(Duration.ofHours(1)).build()) {
      CountingSink sink = new CountingSink(new DeliveryCounter());
      hub.transportContext()
          .connect(new Client("encode", null, null), format, sink, List.of(CHANNEL), null);
      Await.until(() -> hub.channel(CHANNEL).subscriberCount() == 1, "the subscriber");
      message =
          hub.channel(CHANNEL)
              .publishJson("tick", FanOutBenchmark.PAYLOAD)
              .toCompletableFuture()
              .join();
      Await.until(() -> sink.messages() == 1, "the message frame");
      return sink.lastMessage();
    }
  }

  private static void check(String strategy, Frame frame, byte[] expected) {
    byte[] actual = frame.toBytes();
    if (!Arrays.equals(actual, expected)) {
      throw new IllegalStateException(
          strategy
              + " does not reproduce Herald's frame:\n  "
              + new String(actual, StandardCharsets.UTF_8)
              + "\nvs\n  "
              + new String(expected, StandardCharsets.UTF_8));
    }
  }

  @Benchmark
  public void jacksonPerSubscriber(Blackhole bh) throws JsonProcessingException {
    for (String cursor : cursors) {
      bh.consume(jacksonFrame(cursor));
    }
  }

  @Benchmark
  public void stringBuilderPerSubscriber(Blackhole bh) {
    for (String cursor : cursors) {
      bh.consume(stringBuilderFrame(cursor));
    }
  }

  @Benchmark
  public void sharedBody(Blackhole bh) {
    // Once per message, as ChannelRoute makes one EncodedMessage per delivered message.
    SharedBody body = SharedBody.of(message, format);
    for (String cursor : cursors) {
      bh.consume(body.frame(cursor));
    }
  }

  private Frame jacksonFrame(String cursor) throws JsonProcessingException {
    Message m = message;
    ObjectNode node = mapper.createObjectNode();
    node.put("type", "message");
    node.put("channel", m.channel());
    node.put("event", m.event());
    node.put("offset", m.offset());
    node.put("epoch", m.epoch());
    node.put("time", DateTimeFormatter.ISO_INSTANT.format(m.time()));
    if (m.publisherId() != null) {
      node.put("publisher", m.publisherId());
    }
    node.set("data", dataTree);
    byte[] bytes;
    if (format == WireFormat.SSE) {
      bytes =
          ("id: " + cursor + "\ndata: " + mapper.writeValueAsString(node) + "\n\n")
              .getBytes(StandardCharsets.UTF_8);
    } else {
      node.put("cursor", cursor);
      bytes = mapper.writeValueAsBytes(node);
    }
    return new Frame(Frame.Type.MESSAGE, null, bytes, null, cursor);
  }

  private Frame stringBuilderFrame(String cursor) {
    Message m = message;
    StringBuilder sb = new StringBuilder(200 + m.data().length());
    if (format == WireFormat.SSE) {
      sb.append("id: ").append(cursor).append("\ndata: ");
    }
    appendFrameText(sb, m);
    if (format == WireFormat.SSE) {
      sb.append("}\n\n");
    } else {
      sb.append(",\"cursor\":");
      string(sb, cursor).append('}');
    }
    byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
    return new Frame(Frame.Type.MESSAGE, null, bytes, null, cursor);
  }

  /** As {@code EncodedMessage.buildFrameText}: the frame without its cursor and closing brace. */
  static StringBuilder appendFrameText(StringBuilder sb, Message m) {
    sb.append("{\"type\":\"message\"");
    field(sb, "channel", m.channel());
    field(sb, "event", m.event());
    sb.append(",\"offset\":").append(m.offset());
    field(sb, "epoch", m.epoch());
    field(sb, "time", DateTimeFormatter.ISO_INSTANT.format(m.time()));
    if (m.publisherId() != null) {
      field(sb, "publisher", m.publisherId());
    }
    return sb.append(",\"data\":").append(m.data());
  }

  private static void field(StringBuilder sb, String name, String value) {
    sb.append(",\"").append(name).append("\":");
    string(sb, value);
  }

  private static StringBuilder string(StringBuilder sb, String value) {
    sb.append('"');
    JsonStringEncoder.getInstance().quoteAsString(value, sb);
    return sb.append('"');
  }

  /**
   * A message's bytes shared by all subscribers of one format, as Herald's {@code EncodedMessage}
   * holds them, and the per-subscriber frame of {@code FrameEncoder.message}. Immutable.
   */
  static final class SharedBody {
    private final WireFormat format;
    private final byte[] body;

    private SharedBody(WireFormat format, byte[] body) {
      this.format = format;
      this.body = body;
    }

    static SharedBody of(Message m, WireFormat format) {
      String text = appendFrameText(new StringBuilder(160 + m.data().length()), m).toString();
      byte[] body =
          format == WireFormat.SSE
              ? sseData(text + "}").getBytes(StandardCharsets.UTF_8)
              : text.getBytes(StandardCharsets.UTF_8);
      return new SharedBody(format, body);
    }

    Frame frame(String cursor) {
      if (format == WireFormat.SSE) {
        return new Frame(Frame.Type.MESSAGE, sseId(cursor), body, null, cursor);
      }
      String tail = ",\"cursor\":\"" + cursor + (format == WireFormat.NDJSON ? "\"}\n" : "\"}");
      return new Frame(
          Frame.Type.MESSAGE, null, body, tail.getBytes(StandardCharsets.US_ASCII), cursor);
    }

    /** As {@code FrameEncoder.sseData}: {@code data:} lines, split where the text breaks lines. */
    private static String sseData(String text) {
      StringBuilder sb = new StringBuilder(text.length() + 16);
      sb.append("data: ");
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (c == '\r') {
          if (i + 1 < text.length() && text.charAt(i + 1) == '\n') {
            i++;
          }
          sb.append("\ndata: ");
        } else if (c == '\n') {
          sb.append("\ndata: ");
        } else {
          sb.append(c);
        }
      }
      return sb.append("\n\n").toString();
    }

    /** As {@code FrameEncoder.sseId}: {@code id: <cursor>\n}, the cursor being ASCII. */
    private static byte[] sseId(String cursor) {
      byte[] id = new byte[cursor.length() + 5];
      id[0] = 'i';
      id[1] = 'd';
      id[2] = ':';
      id[3] = ' ';
      for (int i = 0; i < cursor.length(); i++) {
        id[4 + i] = (byte) cursor.charAt(i);
      }
      id[id.length - 1] = '\n';
      return id;
    }
  }
}
