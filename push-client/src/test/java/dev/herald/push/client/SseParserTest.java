package dev.herald.push.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {
  private final List<SseParser.Event> events = new ArrayList<>();
  private final SseParser parser = new SseParser(events::add);

  private void feed(String... lines) {
    for (String line : lines) {
      parser.line(line);
    }
  }

  @Test
  void message_withoutEventLine_isTypeMessage_withItsId() {
    feed("id: 1~abc~xyz", "data: {\"type\":\"message\"}", "");

    assertThat(events)
        .containsExactly(new SseParser.Event("message", "{\"type\":\"message\"}", "1~abc~xyz"));
  }

  @Test
  void namedEvent_carriesItsType_andTheTypeDoesNotLeakIntoTheNext() {
    feed("event: ready", "id: c1", "data: {}", "", "data: x", "");

    assertThat(events)
        .containsExactly(
            new SseParser.Event("ready", "{}", "c1"), new SseParser.Event("message", "x", "c1"));
  }

  @Test
  void severalDataLines_areJoinedWithLineFeeds() {
    feed("data: one", "data:two", "data:  three", "");

    assertThat(events)
        .singleElement()
        .extracting(SseParser.Event::data)
        .isEqualTo("one\ntwo\n three");
  }

  @Test
  void commentsRetryAndUnknownFields_areIgnored() {
    feed("retry: 1500", "", ": hb", "", "foo: bar", "data", "");

    assertThat(events).containsExactly(new SseParser.Event("message", "", null));
  }

  @Test
  void eventWithoutData_isNotDispatched() {
    feed("event: ready", "id: c1", "", "data: later", "");

    assertThat(events).containsExactly(new SseParser.Event("message", "later", "c1"));
  }

  @Test
  void idWithNul_isIgnored() {
    feed("id: good", "data: a", "", "id: ba\0d", "data: b", "");

    assertThat(events).extracting(SseParser.Event::lastEventId).containsExactly("good", "good");
  }
}
