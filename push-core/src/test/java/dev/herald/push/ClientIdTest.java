package dev.herald.push;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class ClientIdTest {
  private static final String ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  @Test
  void newClientId_is16CharactersOfTheAlphabet_andIdsDoNotRepeat() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 20_000; i++) {
      String id = Hub.newClientId();
      assertThat(id).hasSize(16).matches("[A-Za-z0-9]{16}");
      ids.add(id);
    }
    assertThat(ids).hasSize(20_000);
  }

  @Test
  void newClientId_usesEveryCharacterAtEveryPosition_aboutEquallyOften() {
    int n = 62_000;
    int[][] counts = new int[16][ALPHABET.length()];
    for (int i = 0; i < n; i++) {
      String id = Hub.newClientId();
      for (int pos = 0; pos < 16; pos++) {
        counts[pos][ALPHABET.indexOf(id.charAt(pos))]++;
      }
    }
    // Expected 1,000 per cell; a binomial with p = 1/62 stays within ±25 % (8 standard deviations).
    for (int[] position : counts) {
      for (int count : position) {
        assertThat(count).isBetween(750, 1250);
      }
    }
  }

  @Test
  void newClientId_fromManyThreadsAtOnce_neverRepeats() throws Exception {
    // Each thread draws its own bytes ahead: ids made on different threads still never meet.
    Set<String> ids = ConcurrentHashMap.newKeySet();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      threads.add(
          new Thread(
              () -> {
                for (int i = 0; i < 5_000; i++) {
                  ids.add(Hub.newClientId());
                }
              }));
    }
    threads.forEach(Thread::start);
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(ids).hasSize(40_000);
  }
}
