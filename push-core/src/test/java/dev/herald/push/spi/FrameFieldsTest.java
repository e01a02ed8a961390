package dev.herald.push.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.herald.push.JsonCodec;
import dev.herald.push.PushException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The frame scanner against Jackson: whatever frame the scanner reads, Jackson reads too, with the
 * same fields; the frames clients usually send are the scanner's.
 */
class FrameFieldsTest {
  private static final int MAX_DEPTH = 6;
  private final JsonCodec codec = new JsonCodec(null, 4096, MAX_DEPTH);

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"channel\":\"room/1\",\"data\":{\"text\":\"hello\",\"n\":1}}",
        "{\"channel\":\"bench/0\",\"event\":\"tick\",\"data\":{\"seq\":12,\"at\":1733443200123}}",
        "{\"channel\":\"a\",\"data\":\"plain text\",\"ephemeral\":true}",
        "{\"type\":\"publish\",\"ref\":\"7\",\"channel\":\"chat/42\",\"data\":[1,2.5,-3e2,null]}",
        "{\"type\":\"subscribe\",\"channel\":\"news\",\"since\":\"1~abc.e1.5~xyz\"}",
        "{\"type\":\"subscribe\",\"channel\":\"room\",\"presence\":true,\"member\":{\"name\":\"Ann\"}}",
        "{\"type\":\"unsubscribe\",\"channel\":\"room\"}",
        "{\"type\":\"ping\"}",
        " { \"channel\" : \"x\" , \"data\" : { \"a\" : [ 1 , { } ] } } ",
        "{\"channel\":\"x\",\"data\":{\"t\":\"caf\\u00e9 \\\"q\\\" \\\\ \\/ \\b\\f\\n\\r\\t\"}}",
        "{\"channel\":\"x\",\"data\":{\"é\":\"ünïcödé ✓ 😀\"}}",
        "{\"channel\":\"x\",\"data\":null,\"extra\":{\"deep\":[[[]]]},\"n\":-0.0e+0}",
        "{}"
      })
  void usualFrames_areScanned_andReadAsJacksonReadsThem(String frame) {
    FrameFields scanned = FrameFields.scan(codec, frame);
    assertThat(scanned).as("scanned: %s", frame).isNotNull();
    assertSame(frame, scanned, FrameFields.parse(codec, frame));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        " ",
        "[]",
        "\"x\"",
        "{",
        "}",
        "{\"channel\":\"x\",}",
        "{\"channel\":\"x\"} x",
        "{\"channel\":\"x\"}{}",
        "{\"channel\" \"x\"}",
        "{channel:\"x\"}",
        "{'channel':'x'}",
        "{\"channel\":\"x\",\"data\":01}",
        "{\"channel\":\"x\",\"data\":1.}",
        "{\"channel\":\"x\",\"data\":.5}",
        "{\"channel\":\"x\",\"data\":-}",
        "{\"channel\":\"x\",\"data\":+1}",
        "{\"channel\":\"x\",\"data\":1e}",
        "{\"channel\":\"x\",\"data\":0x10}",
        "{\"channel\":\"x\",\"data\":NaN}",
        "{\"channel\":\"x\",\"data\":Infinity}",
        "{\"channel\":\"x\",\"data\":tru}",
        "{\"channel\":\"x\",\"data\":truex}",
        "{\"channel\":\"x\",\"data\":nul}",
        "{\"channel\":\"x\",\"data\":\"\\x\"}",
        "{\"channel\":\"x\",\"data\":\"\\u12\"}",
        "{\"channel\":\"x\",\"data\":\"\\u00zz\"}",
        "{\"channel\":\"x\",\"data\":\"\\u٠٠١٠\"}",
        "{\"channel\":\"x\",\"data\":\"tab\there\"}",
        "{\"channel\":\"x\",\"data\":\"unterminated}",
        "{\"channel\":\"x\",\"data\":[1,]}",
        "{\"channel\":\"x\",\"data\":[1 2]}",
        "{\"channel\":\"x\",\"data\":{\"a\"}}",
        "{\"channel\":\"x\",\"data\":{\"a\":1,}}",
        "{\"channel\":\"x\",\"data\":{1:2}}",
        "{\"channel\":\"x\",\"data\":[[[[[[[]]]]]]]}",
        "{\"channel\":\"x\",\"data\":{\"a\":{\"b\":{\"c\":{\"d\":{}}}}}}",
        "{\"channel\":\"x\"/*c*/}",
        "\uFEFF{\"channel\":\"x\"}",
        "{\"channel\":\"x\"}\u00a0",
        "{\"channel\":\"x\",\f\"data\":1}",
        "{\"\\u0063hannel\":\"x\"}",
        "{\"channel\":\"a\\nb\"}",
        "{\"channel\":\"x\",\"data\":123456789012345678901234567890123456789012345678901234567890123456789}",
        "{\"channel\":\"x\",\"data\":1,\"data\":{\"b\":2}}",
        "{\"channel\":\"x\",\"channel\":null}",
        "{\"channel\":5,\"event\":[1],\"ephemeral\":\"yes\"}"
      })
  void otherFrames_areEitherLeftToJacksonOrReadAsJacksonReadsThem(String frame) {
    check(frame);
  }

  @Test
  void mutatedFrames_areEitherLeftToJacksonOrReadAsJacksonReadsThem() {
    String[] seeds = {
      "{\"channel\":\"room/1\",\"event\":\"m\",\"data\":{\"text\":\"hi \\\"you\\\"\",\"n\":[1,-2.5e3,true,null]}}",
      "{\"type\":\"subscribe\",\"channel\":\"c\",\"presence\":false,\"member\":{\"u\":\"\\u00e9\"}}",
      " {\"ref\":\"1\", \"data\" : [ {\"a\":{}} , [] , \"\" , 0 ] , \"ephemeral\":true } "
    };
    String alphabet = "{}[]:,\"\\ \t\n-+.0123456789eEtrufalsn/u\u0001\u00e9xX";
    Random random = new Random(20261206);
    int scanned = 0;
    int left = 0;
    for (int round = 0; round < 30_000; round++) {
      StringBuilder sb = new StringBuilder(seeds[round % seeds.length]);
      int edits = 1 + random.nextInt(3);
      for (int e = 0; e < edits && sb.length() > 0; e++) {
        int at = random.nextInt(sb.length());
        char c = alphabet.charAt(random.nextInt(alphabet.length()));
        switch (random.nextInt(3)) {
          case 0 -> sb.insert(at, c);
          case 1 -> sb.deleteCharAt(at);
          default -> sb.setCharAt(at, c);
        }
      }
      if (check(sb.toString())) {
        scanned++;
      } else {
        left++;
      }
    }
    // Both sides exercised: enough mutants stay readable, and enough are not.
    assertThat(scanned).isGreaterThan(1_000);
    assertThat(left).isGreaterThan(1_000);
  }

  /**
   * If the scanner reads the frame, Jackson reads it with the same fields. Returns whether the
   * scanner read it.
   */
  private boolean check(String frame) {
    FrameFields scanned = FrameFields.scan(codec, frame);
    if (scanned == null) {
      return false;
    }
    FrameFields parsed;
    try {
      parsed = FrameFields.parse(codec, frame);
    } catch (PushException e) {
      fail("the scanner read a frame Jackson refuses (%s): %s", e.getMessage(), frame);
      return true;
    }
    assertSame(frame, scanned, parsed);
    return true;
  }

  private static void assertSame(String frame, FrameFields scanned, FrameFields parsed) {
    List<Object> a = new ArrayList<>();
    List<Object> b = new ArrayList<>();
    for (int field = FrameFields.TYPE; field <= FrameFields.MEMBER; field++) {
      a.add(describe(scanned.value(field)));
      b.add(describe(parsed.value(field)));
    }
    a.add(json(scanned, FrameFields.DATA));
    a.add(json(scanned, FrameFields.MEMBER));
    b.add(json(parsed, FrameFields.DATA));
    b.add(json(parsed, FrameFields.MEMBER));
    assertThat(a).as("fields of %s", frame).isEqualTo(b);
  }

  private static Object describe(Object value) {
    return value == FrameFields.OTHER ? "<other>" : value;
  }

  private static String json(FrameFields f, int field) {
    try {
      return f.json(field);
    } catch (PushException e) {
      return "<refused: " + e.getMessage() + ">";
    }
  }
}
