package dev.herald.push.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoOptionsTest {
  @Test
  void parse_defaultsTo8080() {
    assertThat(DemoOptions.parse(new String[0], Map.of()))
        .isEqualTo(new DemoOptions(8080, null, false));
  }

  @Test
  void parse_portFromEnvironmentThenFlag() {
    assertThat(DemoOptions.parse(new String[0], Map.of("PORT", "9000")).port()).isEqualTo(9000);
    assertThat(DemoOptions.parse(new String[] {"--port", "9100"}, Map.of("PORT", "9000")).port())
        .isEqualTo(9100);
    assertThat(DemoOptions.parse(new String[] {"--port=0"}, Map.of()).port()).isZero();
  }

  @Test
  void parse_redis() {
    assertThat(
            DemoOptions.parse(new String[] {"--redis", "redis://127.0.0.1:6379"}, Map.of())
                .redisUri())
        .isEqualTo("redis://127.0.0.1:6379");
    assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--redis", "localhost"}, Map.of()))
        .hasMessageContaining("redis://, rediss:// or redis-cluster://");
    assertThat(
            DemoOptions.parse(
                    new String[] {"--redis", "redis-cluster://10.0.0.1:7000,10.0.0.2:7000"},
                    Map.of())
                .redisUri())
        .isEqualTo("redis-cluster://10.0.0.1:7000,10.0.0.2:7000");
  }

  @Test
  void parse_badInput_saysWhat() {
    assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--port", "x"}, Map.of()))
        .hasMessage("--port must be a number, was \"x\"");
    assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--port", "70000"}, Map.of()))
        .hasMessage("--port must be 0..65535, was 70000");
    assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--port"}, Map.of()))
        .hasMessage("--port needs a value");
    assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--verbose"}, Map.of()))
        .hasMessage("unknown argument \"--verbose\"");
    assertThatThrownBy(() -> DemoOptions.parse(new String[0], Map.of("PORT", "abc")))
        .hasMessage("PORT must be a number, was \"abc\"");
  }

  @Test
  void parse_help() {
    assertThat(DemoOptions.parse(new String[] {"--help"}, Map.of()).help()).isTrue();
  }
}
