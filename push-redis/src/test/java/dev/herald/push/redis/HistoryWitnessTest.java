package dev.herald.push.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.push.Message;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What a node remembers of each channel, and when it asks for a check of the history. */
class HistoryWitnessTest {
  private static Message m(String epoch, long offset, long time) {
    return new Message("c", offset, epoch, "e", "1", Instant.ofEpochMilli(time), null);
  }

  @Test
  void remembersTheNewestMessagePerChannelAndEpoch() {
    HistoryWitness w = new HistoryWitness();
    assertThat(w.note(m("E", 3, 100), false)).isFalse();
    assertThat(w.note(m("E", 2, 90), false))
        .as("an older live message is a normal repeat")
        .isFalse();
    assertThat(w.get("c")).isEqualTo(new HistoryWitness.Seen("E", 3, 100, false));
    assertThat(w.note(m("F", 1, 200), false)).as("another epoch replaces").isFalse();
    assertThat(w.get("c")).isEqualTo(new HistoryWitness.Seen("F", 1, 200, false));
  }

  @Test
  void sameOffsetWithAnotherTime_isEvidenceOfARewind() {
    HistoryWitness w = new HistoryWitness();
    w.note(m("E", 5, 100), false);
    assertThat(w.note(m("E", 5, 100), true)).as("the same message, acknowledged").isFalse();
    assertThat(w.note(m("E", 5, 170), false)).as("offset 5 handed out again").isTrue();
    assertThat(w.get("c").timeMillis()).as("the evidence is kept for the check").isEqualTo(100);
  }

  @Test
  void ownPublishAtOrBelowAnEarlierOwnPublish_isEvidence_butNotBelowALiveMessage() {
    HistoryWitness w = new HistoryWitness();
    w.note(m("E", 7, 100), true);
    assertThat(w.note(m("E", 6, 120), true)).isTrue();

    HistoryWitness live = new HistoryWitness();
    live.note(m("E", 7, 100), false);
    assertThat(live.note(m("E", 6, 95), true))
        .as("a publish answered after the live copy of a later message")
        .isFalse();
  }

  @Test
  void forgetsOnlyWhatWasChecked() {
    HistoryWitness w = new HistoryWitness();
    w.note(m("E", 5, 100), true);
    HistoryWitness.Seen checked = w.get("c");
    w.note(m("E", 6, 110), true);
    w.forget("c", checked);
    assertThat(w.get("c"))
        .as("a newer record stays")
        .isEqualTo(new HistoryWitness.Seen("E", 6, 110, true));
    w.forget("c", w.get("c"));
    assertThat(w.get("c")).isNull();
  }
}
