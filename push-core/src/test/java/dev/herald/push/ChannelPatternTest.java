package dev.herald.push;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The channel patterns of client rules and ephemeral channels: an exact name, or a prefix and *.
 */
class ChannelPatternTest {
  @ParameterizedTest(name = "{0} ~ {1}: {2}")
  @CsvSource({
    "room-*, room-1, true",
    "room-*, room-, true",
    "room-*, room-12/x, true",
    "room-*, room, false",
    "room-*, roo, false",
    "room-*, other-1, false",
    "*, anything, true",
    "exact, exact, true",
    "exact, exactly, false",
    "exact, exac, false",
    "a*b, a*b, true",
    "a*b, a-b, false",
    "a*b*, a*b-c, true"
  })
  void pattern_matchesAnExactNameOrAPrefix(String pattern, String channel, boolean expected) {
    assertThat(HubSettings.matches(pattern, channel)).isEqualTo(expected);
  }
}
