package dev.herald.push.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** How {@link RedisServer} picks its backend from the settings and what the machine has. */
class RedisServerChoiceTest {
  private static final BooleanSupplier DOCKER = () -> true;
  private static final BooleanSupplier NO_DOCKER = () -> false;
  private static final Supplier<String> BINARY = () -> "/opt/redis/bin/redis-server";
  private static final Supplier<String> NO_BINARY = () -> null;

  @Test
  void auto_prefersTheContainer_withTheDefaultImage() {
    assertThat(RedisServer.choose(null, null, DOCKER, BINARY))
        .isEqualTo(new RedisServer.Choice("container", "redis:7.2"));
    assertThat(RedisServer.choose("auto", "", DOCKER, NO_BINARY))
        .isEqualTo(new RedisServer.Choice("container", "redis:7.2"));
  }

  @Test
  void auto_withoutDocker_takesTheLocalBinary() {
    assertThat(RedisServer.choose(" AUTO ", "redis:6.2", NO_DOCKER, BINARY))
        .isEqualTo(new RedisServer.Choice("local", "/opt/redis/bin/redis-server"));
  }

  @Test
  void auto_withNeither_reportsWhatIsMissing() {
    assertThatThrownBy(() -> RedisServer.choose("", null, NO_DOCKER, NO_BINARY))
        .isInstanceOf(RedisServer.Missing.class)
        .hasMessageContaining("no Docker engine")
        .hasMessageContaining("no redis-server");
  }

  @Test
  void container_takesTheImageNamed_andFailsWithoutDocker() {
    assertThat(RedisServer.choose("container", "redis:6.2", DOCKER, NO_BINARY))
        .isEqualTo(new RedisServer.Choice("container", "redis:6.2"));
    assertThatThrownBy(() -> RedisServer.choose("container", null, NO_DOCKER, BINARY))
        .isInstanceOf(IllegalStateException.class)
        .isNotInstanceOf(RedisServer.Missing.class)
        .hasMessageStartingWith(
            "HERALD_TEST_REDIS=container, but Testcontainers finds no Docker engine");
  }

  @Test
  void local_neverAsksForDocker_andFailsWithoutTheBinary() {
    BooleanSupplier dockerNotAsked =
        () -> {
          throw new AssertionError("Docker looked up for HERALD_TEST_REDIS=local");
        };
    assertThat(RedisServer.choose("local", null, dockerNotAsked, BINARY))
        .isEqualTo(new RedisServer.Choice("local", "/opt/redis/bin/redis-server"));
    assertThatThrownBy(() -> RedisServer.choose("local", null, dockerNotAsked, NO_BINARY))
        .isInstanceOf(IllegalStateException.class)
        .isNotInstanceOf(RedisServer.Missing.class)
        .hasMessageStartingWith("HERALD_TEST_REDIS=local, but there is no redis-server");
  }

  @Test
  void unknownBackend_isRejectedByName() {
    assertThatThrownBy(() -> RedisServer.choose("docker", null, DOCKER, BINARY))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("HERALD_TEST_REDIS must be local, container or auto, was \"docker\"");
  }
}
