package dev.herald.push;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.push.spi.Frame;
import dev.herald.push.spi.WireFormat;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A message's frames: the SSE event of a sole channel, built in one pass, and its parts. */
class EncodedMessageTest {
  private static final Instant TIME = Instant.parse("2026-12-05T06:00:00.250Z");

  private static EncodedMessage encoded(String data, String publisher) {
    return new EncodedMessage(new Message("room-7", 42, "Ep0ch", "chat", data, TIME, publisher));
  }

  private static String text(Frame frame) {
    return new String(frame.toBytes(), StandardCharsets.UTF_8);
  }

  @Test
  void soleChannelSseFrame_isTheIdLineThenOneDataLine() {
    EncodedMessage m = encoded("{\"text\":\"héllo\"}", "client-1");
    String cursor = m.soleCursor().encode();

    assertThat(text(m.soleChannelFrame(WireFormat.SSE)))
        .isEqualTo(
            "id: "
                + cursor
                + "\ndata: {\"type\":\"message\",\"channel\":\"room-7\",\"event\":\"chat\","
                + "\"offset\":42,\"epoch\":\"Ep0ch\",\"time\":\"2026-12-05T06:00:00.250Z\","
                + "\"publisher\":\"client-1\",\"data\":{\"text\":\"héllo\"}}\n\n");
  }

  @Test
  void soleChannelSseFrame_isTheFrameOfAnyConnectionWithTheSameCursor() {
    EncodedMessage m = encoded("[1,2,3]", null);
    String cursor = m.soleCursor().encode();

    Frame sole = m.soleChannelFrame(WireFormat.SSE);

    assertThat(sole.toBytes())
        .isEqualTo(FrameEncoder.message(WireFormat.SSE, m, cursor).toBytes())
        .isEqualTo(
            ("id: " + cursor + "\n" + new String(m.sseBody(), StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8));
    assertThat(sole.cursor()).isEqualTo(cursor);
    assertThat(m.soleChannelFrame(WireFormat.SSE)).isSameAs(sole);
  }

  @Test
  void dataWithLineBreaks_isSplitIntoDataLinesThatRebuildIt() {
    // Data stored by another path than the codec (which compacts it) may hold raw line breaks.
    EncodedMessage m = encoded("{\"a\":\r\n1,\r\"b\":\n2}", null);
    String cursor = m.soleCursor().encode();

    String event = text(m.soleChannelFrame(WireFormat.SSE));

    assertThat(event)
        .startsWith("id: " + cursor + "\ndata: {\"type\":\"message\"")
        .endsWith("\"data\":{\"a\":\ndata: 1,\ndata: \"b\":\ndata: 2}}\n\n");
    assertThat(new String(m.sseBody(), StandardCharsets.UTF_8))
        .isEqualTo(event.substring(event.indexOf('\n') + 1));
  }
}
