package dev.herald.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonCodecTest {
  private final JsonCodec codec = new JsonCodec(null, 1024, 4);

  record Line(String userName, int lineNumber) {}

  private static ErrorCode code(Throwable t) {
    return ((PushException) t).code();
  }

  @Test
  void normalize_compactsWhitespaceIncludingLineBreaks() {
    assertThat(codec.normalize("{\n  \"a\" : [1,\r\n 2 ]\n}")).isEqualTo("{\"a\":[1,2]}");
    assertThat(codec.normalize("\"line\\nbreak\"")).isEqualTo("\"line\\nbreak\"");
  }

  @Test
  void normalize_compactValidText_isReturnedAsWritten() {
    String compact = "{\"a\":[1,2.50,1e2],\"s\":\"x y\\\" z\",\"a\":true}";
    assertThat(codec.normalize(compact)).isSameAs(compact);
  }

  @Test
  void normalize_compactButInvalid_isRefusedAsBadJson() {
    for (String bad :
        new String[] {"{\"a\":1}x", "{\"a\":", "[1,]", "{} {}", "\"a", "{'a':1}", ""}) {
      assertThatThrownBy(() -> codec.normalize(bad))
          .as(bad)
          .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.BAD_JSON));
    }
    assertThatThrownBy(() -> codec.normalize("[[[[[1]]]]]"))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.BAD_JSON))
        .hasMessageContaining("4 levels");
    String control = "\"a\u0001b\"";
    assertThatThrownBy(() -> codec.normalize(control))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.BAD_JSON));
  }

  @Test
  void normalize_compactButTooLarge_isTooLarge() {
    String over = "\"" + "a".repeat(1023) + "\"";
    assertThatThrownBy(() -> codec.normalize(over))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.TOO_LARGE));
  }

  @Test
  void normalize_scalars_areAccepted() {
    assertThat(codec.normalize("42")).isEqualTo("42");
    assertThat(codec.normalize("null")).isEqualTo("null");
  }

  @Test
  void parse_malformed_isBadJson() {
    assertThatThrownBy(() -> codec.parse("{\"a\":"))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.BAD_JSON));
    assertThatThrownBy(() -> codec.parse(""))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.BAD_JSON));
    assertThatThrownBy(() -> codec.parse("{} {}"))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.BAD_JSON));
  }

  @Test
  void parse_tooDeep_isBadJsonNamingTheLimit() {
    assertThat(codec.parse("[[[[1]]]]").toString()).isEqualTo("[[[[1]]]]");
    assertThatThrownBy(() -> codec.parse("[[[[[1]]]]]"))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.BAD_JSON))
        .hasMessageContaining("4 levels");
  }

  @Test
  void parse_tooLarge_isTooLargeCountingUtf8Bytes() {
    String ascii = "\"" + "a".repeat(1022) + "\"";
    assertThat(codec.parse(ascii).asText()).hasSize(1022);
    String over = "\"" + "a".repeat(1023) + "\"";
    assertThatThrownBy(() -> codec.parse(over))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.TOO_LARGE));
    String multiByte = "\"" + "\u00e9".repeat(600) + "\"";
    assertThat(multiByte.length()).isLessThan(1024);
    assertThatThrownBy(() -> codec.parse(multiByte))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.TOO_LARGE));
    assertThatThrownBy(() -> codec.parseObject(over.getBytes(StandardCharsets.UTF_8)))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.TOO_LARGE));
  }

  @Test
  void parseObject_nonObject_isBadJson() {
    assertThatThrownBy(() -> codec.parseObject("[1]")).hasMessageContaining("object");
    assertThat(codec.parseObject("{\"a\":1}").get("a").asInt()).isEqualTo(1);
  }

  @Test
  void applicationMapper_isUsedForPayloadsAndNotChanged() {
    ObjectMapper app =
        new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    JsonCodec withApp = new JsonCodec(app, 1024, 4);
    assertThat(withApp.toJson(new Line("ann", 3)))
        .isEqualTo("{\"user_name\":\"ann\",\"line_number\":3}");
    assertThat(withApp.fromJson("{\"user_name\":\"bo\",\"line_number\":4}", Line.class))
        .isEqualTo(new Line("bo", 4));
    // The application's own mapper keeps its default limits.
    assertThat(app.getFactory().streamReadConstraints().getMaxNestingDepth()).isGreaterThan(4);
  }

  @Test
  void fromJson_wrongShape_isBadRequest() {
    assertThatThrownBy(() -> codec.fromJson("{\"userName\":[1]}", Line.class))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.BAD_REQUEST));
  }

  @Test
  void constructor_badLimits_nameTheValue() {
    assertThatThrownBy(() -> new JsonCodec(null, 0, 4)).hasMessage("maxBytes must be > 0, was 0");
    assertThatThrownBy(() -> new JsonCodec(null, 10, -1))
        .hasMessage("maxDepth must be > 0, was -1");
  }
}
