package dev.herald.push;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Json#instant} writes what {@link DateTimeFormatter#ISO_INSTANT} writes, for any instant.
 */
class JsonTimeTest {
  private static final long YEAR_10000 = Instant.parse("+10000-01-01T00:00:00Z").getEpochSecond();

  private static String written(Instant t) {
    return Json.instant(new StringBuilder(), t).toString();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "1970-01-01T00:00:00Z",
        "1970-01-01T00:00:00.001Z",
        "1970-12-31T23:59:59.999Z",
        "1972-02-29T12:00:00Z",
        "1999-12-31T23:59:59Z",
        "2000-02-29T00:00:00.5Z",
        "2000-03-01T00:00:00Z",
        "2026-11-28T15:00:00.123Z",
        "2038-01-19T03:14:08Z",
        "2100-02-28T23:59:59Z",
        "2100-03-01T00:00:00Z",
        "2400-02-29T00:00:00.000001Z",
        "9999-12-31T23:59:59.999999999Z",
        "1969-12-31T23:59:59.999Z",
        "0001-01-01T00:00:00Z",
        "+10000-01-01T00:00:00Z",
        "-0001-06-15T08:00:00.25Z"
      })
  void writesAsIsoInstant(String text) {
    Instant t = Instant.parse(text);
    assertThat(written(t)).isEqualTo(DateTimeFormatter.ISO_INSTANT.format(t));
  }

  @Test
  void fractionHasThreeSixOrNineDigits() {
    assertThat(written(Instant.ofEpochSecond(0, 120_000_000)))
        .isEqualTo("1970-01-01T00:00:00.120Z");
    assertThat(written(Instant.ofEpochSecond(0, 120_000))).isEqualTo("1970-01-01T00:00:00.000120Z");
    assertThat(written(Instant.ofEpochSecond(0, 120))).isEqualTo("1970-01-01T00:00:00.000000120Z");
    assertThat(written(Instant.ofEpochSecond(0, 0))).isEqualTo("1970-01-01T00:00:00Z");
  }

  @Test
  void randomInstantsFrom1970To9999MatchIsoInstant() {
    SplittableRandom random = new SplittableRandom(16);
    for (int i = 0; i < 500_000; i++) {
      long seconds = random.nextLong(YEAR_10000);
      int nano =
          switch (i % 4) {
            case 0 -> 0;
            case 1 -> random.nextInt(1_000) * 1_000_000;
            case 2 -> random.nextInt(1_000_000) * 1_000;
            default -> random.nextInt(1_000_000_000);
          };
      Instant t = Instant.ofEpochSecond(seconds, nano);
      String expected = DateTimeFormatter.ISO_INSTANT.format(t);
      if (!written(t).equals(expected)) {
        assertThat(written(t)).as("epoch second %d, nano %d", seconds, nano).isEqualTo(expected);
      }
    }
  }

  @Test
  void everyDayOfFourCenturiesMatchesIsoInstant() {
    // 146,097 days: one whole cycle of the Gregorian calendar, from 2000-03-01.
    long first = Instant.parse("2000-03-01T00:00:00Z").getEpochSecond();
    for (long day = 0; day < 146_097; day++) {
      Instant t = Instant.ofEpochSecond(first + day * 86_400 + day % 86_400);
      String expected = DateTimeFormatter.ISO_INSTANT.format(t);
      if (!written(t).equals(expected)) {
        assertThat(written(t)).as("day %d", day).isEqualTo(expected);
      }
    }
  }

  @Test
  void fieldQuotesTheTime() {
    StringBuilder sb = new StringBuilder("{\"a\":1");
    Json.field(sb, "time", Instant.parse("2026-12-04T07:00:00.042Z"));
    assertThat(sb.append('}').toString())
        .isEqualTo("{\"a\":1,\"time\":\"2026-12-04T07:00:00.042Z\"}");
  }
}
