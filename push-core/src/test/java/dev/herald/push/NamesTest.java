package dev.herald.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {
  @ParameterizedTest
  @ValueSource(strings = {"a", "chat/lobby", "user/alice@example.com", "x.y:z=1_2-3", "A9"})
  void checkChannel_validName_isAccepted(String name) {
    assertThat(Names.checkChannel(name)).isEqualTo(name);
    assertThat(Names.isValidChannel(name)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "chat lobby", "chat\nlobby", "caf\u00e9", "a?b", "a#b", "a%20b", "*"})
  void checkChannel_badName_isRefusedWithBadChannel(String name) {
    assertThatThrownBy(() -> Names.checkChannel(name))
        .isInstanceOf(PushException.class)
        .extracting(e -> ((PushException) e).code())
        .isEqualTo(ErrorCode.BAD_CHANNEL);
    assertThat(Names.isValidChannel(name)).isFalse();
  }

  @org.junit.jupiter.api.Test
  void checkChannel_tooLong_namesTheLength() {
    String name = "a".repeat(201);
    assertThatThrownBy(() -> Names.checkChannel(name)).hasMessageContaining("was 201");
    assertThat(Names.checkChannel("a".repeat(200))).hasSize(200);
  }

  @org.junit.jupiter.api.Test
  void checkChannel_null_isMissing() {
    assertThatThrownBy(() -> Names.checkChannel(null)).hasMessageContaining("missing");
  }

  @org.junit.jupiter.api.Test
  void checkChannel_badChar_namesCharAndIndex() {
    assertThatThrownBy(() -> Names.checkChannel("ab c"))
        .hasMessageContaining("' '")
        .hasMessageContaining("index 2");
    assertThatThrownBy(() -> Names.checkChannel("ab\u0000")).hasMessageContaining("U+0000");
  }

  @ParameterizedTest
  @ValueSource(strings = {"chat", "price tick", "caf\u00e9", "a.b/c"})
  void checkEvent_printable_isAccepted(String event) {
    assertThat(Names.checkEvent(event)).isEqualTo(event);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a\nb", "a\rb", "tab\t"})
  void checkEvent_emptyOrControl_isRefused(String event) {
    assertThatThrownBy(() -> Names.checkEvent(event)).isInstanceOf(PushException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a.b", "a~b", "abcdefghijklmnopqrstuvwxyzabcdefg"})
  void checkEpoch_bad_isRefused(String epoch) {
    assertThatThrownBy(() -> Names.checkEpoch(epoch)).isInstanceOf(IllegalArgumentException.class);
  }
}
