package dev.herald.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.push.spi.QueryParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class QueryParametersTest {

  @Test
  void parse_nullOrEmpty_hasNoParameters() {
    for (String raw : new String[] {null, "", "&", "&&"}) {
      QueryParameters query = QueryParameters.parse(raw);
      assertThat(query.first("channel")).isNull();
      assertThat(query.all("channel")).isEmpty();
    }
  }

  @Test
  void parse_repeatedParameter_keepsEveryValueInOrder() {
    QueryParameters query = QueryParameters.parse("channel=b&since=x&channel=a&channel=b");

    assertThat(query.all("channel")).containsExactly("b", "a", "b");
    assertThat(query.first("channel")).isEqualTo("b");
    assertThat(query.first("since")).isEqualTo("x");
  }

  @Test
  void parse_percentEscapesPlusAndMultiByteUtf8_decode() {
    QueryParameters query =
        QueryParameters.parse(
            "channel=chat%2Flobby&access_token=a+b%2Bc%20d&name=t%C3%B6ken%E2%82%AC%F0%9F%98%80"
                + "&mixed=%c3%a9t%C3%A9");

    assertThat(query.first("channel")).isEqualTo("chat/lobby");
    assertThat(query.first("access_token")).isEqualTo("a b+c d");
    assertThat(query.first("name")).isEqualTo("töken€😀");
    assertThat(query.first("mixed")).isEqualTo("été");
  }

  @Test
  void parse_encodedName_isMatchedDecoded() {
    QueryParameters query = QueryParameters.parse("%63hannel=a&access%5Ftoken=t");

    assertThat(query.first("channel")).isEqualTo("a");
    assertThat(query.first("access_token")).isEqualTo("t");
  }

  @Test
  void parse_partWithoutEqualsOrValue_hasEmptyValue() {
    QueryParameters query = QueryParameters.parse("flag&since=&channel=a=b");

    assertThat(query.first("flag")).isEmpty();
    assertThat(query.first("since")).isEmpty();
    assertThat(query.first("channel")).isEqualTo("a=b");
  }

  @Test
  void parse_characterAUriMustEscape_isRefused() {
    // A container passes raw bytes on as it decoded them (or replaced them): never guess.
    for (String value : new String[] {"é", "\uFFFD", "a b", "a\tb", "\u0000"}) {
      assertThatThrownBy(() -> QueryParameters.parse("channel=a&since=x" + value))
          .isInstanceOfSatisfying(
              PushException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_CURSOR))
          .hasMessageEndingWith("must be percent-encoded");
    }
    assertThatThrownBy(() -> QueryParameters.parse("é=1"))
        .isInstanceOfSatisfying(
            PushException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
  }

  @Test
  void parse_asciiPunctuationThatSomeContainersRelax_isKept() {
    String value = "a|b{c}[d]\"^`<>\\";
    assertThat(QueryParameters.parse("x=" + value).first("x")).isEqualTo(value);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"AAAA%ZZ", "AAAA%A", "AAAA%", "%G0AAAA", "%C3%28", "%C3", "%FF", "%ED%A0%80"})
  void parse_malformedSince_isBadCursor(String value) {
    assertThatThrownBy(() -> QueryParameters.parse("channel=a&since=" + value))
        .isInstanceOfSatisfying(
            PushException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_CURSOR))
        .hasMessageStartingWith("the query parameter \"since\" is malformed");
  }

  @Test
  void parse_malformedChannel_isBadChannelEvenAfterGoodOnes() {
    assertThatThrownBy(() -> QueryParameters.parse("channel=a&channel=chat%ZZ&since=1"))
        .isInstanceOfSatisfying(
            PushException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_CHANNEL))
        .hasMessage("the query parameter \"channel\" is malformed: \"%ZZ\" is not a %XX escape");
  }

  @Test
  void parse_truncatedEscape_saysSo() {
    assertThatThrownBy(() -> QueryParameters.parse("timeout=1%A"))
        .isInstanceOfSatisfying(
            PushException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST))
        .hasMessage("the query parameter \"timeout\" is malformed: \"%A\" is not a %XX escape");
  }

  @Test
  void parse_invalidUtf8_saysSo() {
    assertThatThrownBy(() -> QueryParameters.parse("channel=%C3%28"))
        .isInstanceOfSatisfying(
            PushException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_CHANNEL))
        .hasMessage(
            "the query parameter \"channel\" is malformed: the escaped bytes are not UTF-8");
  }

  @Test
  void parse_malformedToken_isBadRequestWithoutEchoingTheToken() {
    assertThatThrownBy(() -> QueryParameters.parse("access_token=secret%ZZsecret"))
        .isInstanceOfSatisfying(
            PushException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST))
        .hasMessageContaining("\"access_token\"")
        .message()
        .doesNotContain("secret");
  }

  @Test
  void parse_malformedName_isBadRequest() {
    assertThatThrownBy(() -> QueryParameters.parse("channel=a&chan%ZZnel=b"))
        .isInstanceOfSatisfying(
            PushException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST))
        .hasMessageContaining("chan%ZZnel");
  }

  @Test
  void parse_malformedParameterNobodyReads_stillRefusesTheQuery() {
    assertThatThrownBy(() -> QueryParameters.parse("channel=a&_=%ZZ"))
        .isInstanceOfSatisfying(
            PushException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
  }

  @Test
  void toString_namesParametersButNoValues() {
    assertThat(QueryParameters.parse("channel=a&access_token=secret").toString())
        .contains("channel", "access_token")
        .doesNotContain("secret");
  }
}
