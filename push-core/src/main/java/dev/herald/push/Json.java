package dev.herald.push;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.time.Instant;
import java.time.format.DateTimeFormatter;

/** Appends JSON string literals for hand-built frames. Thread-safe. */
final class Json {
  private Json() {}

  static StringBuilder string(StringBuilder sb, String value) {
    sb.append('"');
    JsonStringEncoder.getInstance().quoteAsString(value, sb);
    return sb.append('"');
  }

  static StringBuilder field(StringBuilder sb, String name, String value) {
    sb.append(",\"").append(name).append("\":");
    return string(sb, value);
  }

  static StringBuilder field(StringBuilder sb, String name, long value) {
    return sb.append(",\"").append(name).append("\":").append(value);
  }

  /** A time field: {@code ,"name":"2026-11-28T15:00:00.123Z"}, as {@link #instant} writes it. */
  static StringBuilder field(StringBuilder sb, String name, Instant value) {
    sb.append(",\"").append(name).append("\":\"");
    return instant(sb, value).append('"');
  }

  /** The first second of the year 10000, from which ISO-8601 writes a year with a sign. */
  private static final long YEAR_10000 = 253_402_300_800L;

  private static final int[] POWERS = {
    1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000
  };

  /**
   * Appends the instant exactly as {@link DateTimeFormatter#ISO_INSTANT} formats it: UTC, a
   * fraction of 3, 6 or 9 digits only when the nanoseconds are not 0, then {@code Z}. Every message
   * frame has one; {@code ISO_INSTANT} builds a print context and several objects per call, and its
   * code is large enough that compiling it is a visible part of a new server's first minute
   * (docs/benchmarks.md). Instants before 1970 or from the year 10000 on go to {@code ISO_INSTANT}
   * itself.
   */
  static StringBuilder instant(StringBuilder sb, Instant value) {
    long seconds = value.getEpochSecond();
    if (seconds < 0 || seconds >= YEAR_10000) {
      return sb.append(DateTimeFormatter.ISO_INSTANT.format(value));
    }
    // The civil date of a day count (days from 1970-01-01, 0 or more), with years that start on
    // March 1st so that a leap day is the last day of its year: 146,097 days per 400 years.
    long shifted = seconds / 86_400 + 719_468;
    long era = shifted / 146_097;
    long dayOfEra = shifted - era * 146_097;
    long yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
    long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    long monthFromMarch = (5 * dayOfYear + 2) / 153;
    int day = (int) (dayOfYear - (153 * monthFromMarch + 2) / 5 + 1);
    int month = (int) (monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9);
    int year = (int) (yearOfEra + era * 400 + (month <= 2 ? 1 : 0));
    int secondOfDay = (int) (seconds % 86_400);
    digits(sb, year, 4).append('-');
    digits(sb, month, 2).append('-');
    digits(sb, day, 2).append('T');
    digits(sb, secondOfDay / 3_600, 2).append(':');
    digits(sb, secondOfDay / 60 % 60, 2).append(':');
    digits(sb, secondOfDay % 60, 2);
    int nano = value.getNano();
    if (nano != 0) {
      sb.append('.');
      if (nano % 1_000_000 == 0) {
        digits(sb, nano / 1_000_000, 3);
      } else if (nano % 1_000 == 0) {
        digits(sb, nano / 1_000, 6);
      } else {
        digits(sb, nano, 9);
      }
    }
    return sb.append('Z');
  }

  /** Appends a value of 0 or more as exactly {@code width} digits, with leading zeros. */
  private static StringBuilder digits(StringBuilder sb, int value, int width) {
    for (int i = width - 1; i >= 0; i--) {
      sb.append((char) ('0' + value / POWERS[i] % 10));
    }
    return sb;
  }
}
