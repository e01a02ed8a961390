package dev.herald.push.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@link PublishRequest#utf8}: a publish body's bytes as text, taken as they are when valid and
 * refused when not, whichever of its two ways decodes them.
 */
class PublishBodyTextTest {
  @Test
  void ascii_isTakenAsItIs() throws Exception {
    String body = "{\"channel\":\"chat/1\",\"data\":{\"text\":\"hi\"}}";
    assertThat(PublishRequest.utf8(body.getBytes(StandardCharsets.US_ASCII))).isEqualTo(body);
  }

  @Test
  void multiByteCharacters_areDecoded() throws Exception {
    String body = "{\"data\":\"caf\u00e9 \u20ac \uD83D\uDE00 \u4E2D\"}";
    assertThat(PublishRequest.utf8(body.getBytes(StandardCharsets.UTF_8))).isEqualTo(body);
  }

  @Test
  void aReplacementCharacterOfTheBodysOwn_isKept() throws Exception {
    // Valid UTF-8 for U+FFFD (EF BF BD): the strict decoding takes it as the lenient one did.
    String body = "{\"data\":\"\uFFFD and caf\u00e9\"}";
    assertThat(PublishRequest.utf8(body.getBytes(StandardCharsets.UTF_8))).isEqualTo(body);
  }

  @Test
  void malformedSequences_areRefused() {
    byte[][] malformed = {
      {'"', (byte) 0xC3, 0x28, '"'}, // a lead byte without its continuation
      {'"', (byte) 0x80, '"'}, // a continuation byte alone
      {'"', (byte) 0xC0, (byte) 0xAF, '"'}, // an overlong '/'
      {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'}, // a surrogate encoded on its own
      {'"', (byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80, '"'}, // 5 bytes
      {'"', (byte) 0xE2, (byte) 0x82}, // cut off at the end
    };
    for (byte[] body : malformed) {
      assertThatThrownBy(() -> PublishRequest.utf8(body))
          .isInstanceOf(CharacterCodingException.class);
    }
  }

  @Test
  void malformedNextToAReplacementCharacter_isRefused() {
    byte[] replacement = "\uFFFD".getBytes(StandardCharsets.UTF_8);
    byte[] body = {replacement[0], replacement[1], replacement[2], (byte) 0xFF};
    assertThatThrownBy(() -> PublishRequest.utf8(body))
        .isInstanceOf(CharacterCodingException.class);
  }
}
