package dev.herald.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CursorTest {
  private static final Position A = new Position("EpochA", 42);
  private static final Position B = new Position("Epoch_B-2", 0);

  @Test
  void roundTrip_keepsEveryPosition() {
    Cursor cursor = Cursor.empty().with("chat/lobby", A).with("prices/EURUSD", B);
    Cursor decoded = Cursor.decode(cursor.encode());
    assertThat(decoded).isEqualTo(cursor);
    assertThat(decoded.position("chat/lobby")).isEqualTo(A);
    assertThat(decoded.position("prices/EURUSD")).isEqualTo(B);
    assertThat(decoded.position("other")).isNull();
    assertThat(decoded.size()).isEqualTo(2);
  }

  @Test
  void encode_isUrlSafeAndShort() {
    Cursor cursor =
        Cursor.empty()
            .with(
                "a-very-long-channel-name/" + "x".repeat(150),
                new Position("abcdefghij", 123456789));
    String s = cursor.encode();
    assertThat(s).matches("[A-Za-z0-9._~-]+");
    assertThat(s.length()).isLessThan(60);
  }

  @Test
  void encode_doesNotDependOnInsertionOrder() {
    Cursor ab = Cursor.empty().with("a", A).with("b", B);
    Cursor ba = Cursor.empty().with("b", B).with("a", A);
    assertThat(ab.encode()).isEqualTo(ba.encode());
    Map<String, Position> map = new LinkedHashMap<>();
    map.put("b", B);
    map.put("a", A);
    assertThat(Cursor.encode(map)).isEqualTo(ab.encode());
  }

  @Test
  void emptyCursor_roundTrips() {
    assertThat(Cursor.decode(Cursor.empty().encode())).isEqualTo(Cursor.empty());
    assertThat(Cursor.empty().size()).isZero();
  }

  @Test
  void with_replacesAndWithout_removes() {
    Cursor c = Cursor.empty().with("a", A).with("a", B);
    assertThat(c.position("a")).isEqualTo(B);
    assertThat(c.without("a")).isEqualTo(Cursor.empty());
  }

  @Test
  void decode_everySingleCharacterEdit_isRefused() {
    String good = Cursor.empty().with("chat/lobby", A).with("news", B).encode();
    String alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCZ._~-";
    int refused = 0;
    int tried = 0;
    for (int i = 0; i < good.length(); i++) {
      for (char c : alphabet.toCharArray()) {
        if (good.charAt(i) == c) {
          continue;
        }
        String edited = good.substring(0, i) + c + good.substring(i + 1);
        tried++;
        try {
          Cursor.decode(edited);
        } catch (PushException e) {
          assertThat(e.code()).isEqualTo(ErrorCode.BAD_CURSOR);
          refused++;
        }
      }
    }
    assertThat(refused).isEqualTo(tried);
  }

  @Test
  void decode_truncated_isRefused() {
    String good = Cursor.empty().with("chat/lobby", A).encode();
    for (int len = 0; len < good.length(); len++) {
      String truncated = good.substring(0, len);
      assertThatThrownBy(() -> Cursor.decode(truncated))
          .isInstanceOf(PushException.class)
          .extracting(e -> ((PushException) e).code())
          .isEqualTo(ErrorCode.BAD_CURSOR);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "garbage",
        "1",
        "~",
        "1~",
        "2~abc",
        "1~zzzzzzzzzzzzzzzzzzzzzz",
        "1~a.b~c",
        "\u0000",
        "1~a.EpochA.16~99999999999999999999",
        "<script>"
      })
  void decode_garbage_isBadCursorNotAnotherException(String s) {
    assertThatThrownBy(() -> Cursor.decode(s))
        .isInstanceOf(PushException.class)
        .extracting(e -> ((PushException) e).code())
        .isEqualTo(ErrorCode.BAD_CURSOR);
  }

  @Test
  void decode_nullOrTooLong_isRefused() {
    assertThatThrownBy(() -> Cursor.decode(null)).isInstanceOf(PushException.class);
    assertThatThrownBy(() -> Cursor.decode("1~" + "a".repeat(Cursor.MAX_ENCODED_LENGTH)))
        .isInstanceOf(PushException.class)
        .hasMessageContaining("longer than");
  }

  @Test
  void decode_validChecksumButMalformedEntry_isRefused() {
    // Built by hand with a correct checksum, so only the entry check can refuse it.
    String body = "1~abc.not valid.5";
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(body.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    String s = body + "~" + Long.toString(crc.getValue(), 36);
    assertThatThrownBy(() -> Cursor.decode(s))
        .isInstanceOf(PushException.class)
        .hasMessageContaining("malformed");
  }

  @Test
  void hash_isStable() {
    // Cursors outlive processes and cross nodes: the hash must never change.
    assertThat(Cursor.hash("chat/lobby")).isEqualTo(Cursor.hash("chat/lobby"));
    assertThat(Cursor.hash("")).isEqualTo(0x811c9dc5);
    assertThat(Cursor.hash("a")).isEqualTo(0xe40c292c);
  }
}
