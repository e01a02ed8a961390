package dev.herald.push;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

class HandOffTest {
  private final List<String> log = new ArrayList<>();
  private final HandOff handOff = new HandOff(Runnable::run, new Outboxes(Runnable::run, 2));

  @Test
  void workHandedOffInNestedScopes_startsOnlyWhenTheOutermostCloses() {
    try (HandOff.Scope outer = handOff.open()) {
      try (HandOff.Scope inner = handOff.open()) {
        handOff.execute(() -> log.add("task"));
        handOff.afterUnlock(() -> log.add("action"));
      }
      log.add("inner scope closed");
    }
    log.add("outer scope closed");
    assertThat(log).containsExactly("inner scope closed", "task", "action", "outer scope closed");
  }

  @Test
  void workHandedOffByHandedOffWork_startsWhenItsOwnScopeCloses() {
    try (HandOff.Scope scope = handOff.open()) {
      handOff.execute(
          () -> {
            try (HandOff.Scope again = handOff.open()) {
              handOff.execute(() -> log.add("second"));
              log.add("first");
            }
          });
    }
    assertThat(log).containsExactly("first", "second");
  }

  @Test
  void aFailingTask_doesNotDropTheOthers() {
    try (HandOff.Scope scope = handOff.open()) {
      handOff.execute(
          () -> {
            throw new IllegalStateException("listener bug");
          });
      handOff.execute(() -> log.add("after the failure"));
    }
    assertThat(log).containsExactly("after the failure");
  }

  @Test
  void aRefusedTask_isDropped() {
    HandOff closing =
        new HandOff(
            task -> {
              throw new RejectedExecutionException("shut down");
            },
            new Outboxes(Runnable::run, 2));
    try (HandOff.Scope scope = closing.open()) {
      closing.execute(() -> log.add("never"));
      closing.afterUnlock(() -> log.add("action runs on this thread"));
    }
    assertThat(log).containsExactly("action runs on this thread");
  }
}
