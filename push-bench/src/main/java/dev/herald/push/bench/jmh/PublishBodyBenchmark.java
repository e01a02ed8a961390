package dev.herald.push.bench.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.push.Client;
import dev.herald.push.JsonCodec;
import dev.herald.push.PushHub;
import dev.herald.push.spi.ClientFrame;
import dev.herald.push.spi.TransportContext;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-request work of {@code POST /push/publish} before the publish itself, in ns per request
 * (issue 16, sixth round): reading the body, and the id of the client that publishes.
 *
 * <ul>
 *   <li>{@code parseBody}: {@code ClientFrame.parsePublish} as it is, one pass of the streaming
 *       parser, {@code data} cut out of the body.
 *   <li>{@code parseBodyAsTree}: the way it was until then, reproduced with the public {@link
 *       JsonCodec}: the body parsed into a tree, {@code data} written out again.
 *   <li>{@code newClient}: {@code TransportContext.newClient}, which draws the client id.
 *   <li>{@code idOneCallPerCharacter}: the id drawn as it was until then, one {@code
 *       SecureRandom.nextInt} per character.
 *   <li>{@code bodyText} (twentieth round): the body's bytes to text as {@code PublishRequest.utf8}
 *       does it, decoded leniently and checked for U+FFFD, decoded strictly only when one is found.
 *   <li>{@code bodyTextStrict}: the way it was until then, a strict decoder made per body.
 * </ul>
 *
 * <p>The body is the load tool's chat publish: about 100 bytes of data in a small envelope.
 *
 * <p>Run: {@code java -jar push-bench/target/push-bench.jar jmh PublishBodyBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class PublishBodyBenchmark {
  static final String BODY =
      "{\"channel\":\"bench/17\",\"event\":\"message\",\"data\":{\"bench\":\"1234.1790000000000000\","
          + "\"text\":\"a chat line of about a hundred bytes, as the load tool sends it ....\"}}";
  private static final char[] ID_CHARS =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  private final SecureRandom random = new SecureRandom();
  private final byte[] bodyBytes = BODY.getBytes(StandardCharsets.UTF_8);
  private PushHub hub;
  private TransportContext transport;
  private JsonCodec codec;

  @Setup(Level.Trial)
  public void setUp() {
    hub = PushHub.builder().build();
    transport = hub.transportContext();
    codec = transport.codec();
    ClientFrame.Publish fast = ClientFrame.parsePublish(codec, BODY);
    if (!fast.data().equals(codec.write(codec.parseObject(BODY).get("data")))) {
      throw new IllegalStateException("the two ways read different data: " + fast.data());
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    hub.close();
  }

  @Benchmark
  public ClientFrame.Publish parseBody() {
    return ClientFrame.parsePublish(codec, BODY);
  }

  @Benchmark
  public String parseBodyAsTree() {
    ObjectNode node = codec.parseObject(BODY);
    JsonNode data = node.get("data");
    return node.get("channel").asText() + node.get("event").asText() + codec.write(data);
  }

  @Benchmark
  public String bodyText() throws CharacterCodingException {
    String text = new String(bodyBytes, StandardCharsets.UTF_8);
    return text.indexOf('\uFFFD') < 0 ? text : strict(bodyBytes);
  }

  @Benchmark
  public String bodyTextStrict() throws CharacterCodingException {
    return strict(bodyBytes);
  }

  private static String strict(byte[] body) throws CharacterCodingException {
    return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(body)).toString();
  }

  @Benchmark
  public Client newClient() {
    return transport.newClient(null, "127.0.0.1");
  }

  @Benchmark
  public String idOneCallPerCharacter() {
    char[] id = new char[16];
    for (int i = 0; i < id.length; i++) {
      id[i] = ID_CHARS[random.nextInt(ID_CHARS.length)];
    }
    return new String(id);
  }
}
