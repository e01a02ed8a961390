package dev.herald.push.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.push.Client;
import dev.herald.push.ClientMessage;
import dev.herald.push.JsonCodec;
import dev.herald.push.RejectedMessageException;
import java.util.Collections;
import org.junit.jupiter.api.Test;

class BoardMessagesTest {
  private static final JsonCodec CODEC = new JsonCodec(new ObjectMapper(), 64 * 1024, 32);
  private final BoardMessages handler = new BoardMessages();

  private static ClientMessage message(String event, String json, boolean ephemeral) {
    return ClientMessage.create(
        new Client("c1", null, null), "board/main", event, json, CODEC, ephemeral);
  }

  private ClientMessage handled(String event, String json) {
    return handler.handle(message(event, json, false));
  }

  private static String points(int n) {
    return "[" + String.join(",", Collections.nCopies(n, "0.5,0.25")) + "]";
  }

  private static String stroke(String points) {
    return "{\"id\":\"s1\",\"seq\":0,\"color\":\"#E5484D\",\"width\":5,\"points\":" + points + "}";
  }

  @Test
  void cursor_keepsOnlyKeyAndRoundedCoordinates() {
    JsonNode data =
        handled("cursor", "{\"key\":\"k1\",\"x\":0.123456,\"y\":1,\"name\":\"x\"}")
            .dataAs(JsonNode.class);
    assertThat(data.toString()).isEqualTo("{\"key\":\"k1\",\"x\":0.1235,\"y\":1.0}");
  }

  @Test
  void stroke_isRebuiltFromItsCheckedFields() {
    JsonNode data =
        handled(
                "stroke",
                "{\"id\":\"s1\",\"seq\":3,\"color\":\"#E5484D\",\"width\":5.04,"
                    + "\"points\":[0,0.000049,1,0.5],\"onclick\":\"x\"}")
            .dataAs(JsonNode.class);
    assertThat(data.toString())
        .isEqualTo(
            "{\"id\":\"s1\",\"seq\":3,\"color\":\"#e5484d\",\"width\":5.0,"
                + "\"points\":[0.0,0.0,1.0,0.5]}");
  }

  @Test
  void stroke_ofOnePoint_isADot() {
    assertThat(handled("stroke", stroke("[0.5,0.5]")).dataAs(JsonNode.class).get("points"))
        .hasSize(2);
  }

  @Test
  void stroke_refusesTooManyPointsAndCoordinatesOffTheBoard() {
    assertThat(handled("stroke", stroke(points(32))).dataAs(JsonNode.class).get("points"))
        .hasSize(64);
    assertThatThrownBy(() -> handled("stroke", stroke(points(33))))
        .isInstanceOf(RejectedMessageException.class)
        .hasMessage(
            "a stroke message holds at most 32 points, was 33; send longer strokes in segments");
    assertThatThrownBy(() -> handled("stroke", stroke("[0.5,1.01]")))
        .hasMessage("a stroke's point is between 0 and 1, was 1.01");
    assertThatThrownBy(() -> handled("stroke", stroke("[0.5,-0.1]")))
        .hasMessage("a stroke's point is between 0 and 1, was -0.1");
    assertThatThrownBy(() -> handled("stroke", stroke("[0.5,\"0.5\"]")))
        .hasMessage("a stroke's point is a number");
    assertThatThrownBy(() -> handled("stroke", stroke("[0.5]")))
        .hasMessage("a stroke's points are a list of x, y pairs");
    assertThatThrownBy(() -> handled("stroke", stroke("[]")))
        .hasMessage("a stroke's points are a list of x, y pairs");
  }

  @Test
  void stroke_refusesBadIdSeqColorAndWidth() {
    assertThatThrownBy(() -> handled("stroke", "{\"id\":\"<b>\",\"seq\":0}"))
        .hasMessage("a stroke's id is 1 to 16 letters and digits, was \"<b>\"");
    assertThatThrownBy(() -> handled("stroke", "{\"id\":\"s\",\"seq\":1.5}"))
        .hasMessage("a stroke needs a whole number \"seq\"");
    assertThatThrownBy(() -> handled("stroke", "{\"id\":\"s\",\"seq\":10001}"))
        .hasMessage("a stroke's seq is between 0 and 10000, was 10001");
    assertThatThrownBy(
            () -> handled("stroke", "{\"id\":\"s\",\"seq\":0,\"color\":\"red;background:url(x)\"}"))
        .hasMessage("a stroke's color is #rrggbb");
    assertThatThrownBy(
            () -> handled("stroke", "{\"id\":\"s\",\"seq\":0,\"color\":\"#000000\",\"width\":41}"))
        .hasMessage("a stroke's width is a number from 1 to 40");
    assertThatThrownBy(
            () -> handled("stroke", "{\"id\":\"s\",\"seq\":0,\"color\":\"#000000\",\"width\":0}"))
        .hasMessage("a stroke's width is a number from 1 to 40");
  }

  @Test
  void cursorsAreAlwaysEphemeral_strokesAndClearsAlwaysStored_whateverTheClientAsked() {
    String cursor = "{\"key\":\"k1\",\"x\":0.5,\"y\":0.5}";
    assertThat(handler.handle(message("cursor", cursor, false)).ephemeral()).isTrue();
    assertThat(handler.handle(message("cursor", cursor, true)).ephemeral()).isTrue();
    assertThat(handler.handle(message("stroke", stroke("[0.5,0.5]"), true)).ephemeral()).isFalse();
    assertThat(handler.handle(message("clear", "{}", true)).ephemeral()).isFalse();
  }

  @Test
  void clear_carriesNothing() {
    assertThat(handled("clear", "{\"all\":true}").data()).isEqualTo("{}");
  }

  @Test
  void otherEventsAndNonObjects_areRefusedWithTheReason() {
    assertThatThrownBy(() -> handled("chat", "{}"))
        .isInstanceOf(RejectedMessageException.class)
        .hasMessage("boards take only \"stroke\", \"cursor\" and \"clear\" messages, not \"chat\"");
    assertThatThrownBy(() -> handled("cursor", "[1,2]")).hasMessage("a cursor is a JSON object");
    assertThatThrownBy(() -> handled("cursor", "{\"key\":\"k\",\"x\":2,\"y\":0}"))
        .hasMessage("a cursor's x is between 0 and 1, was 2.0");
  }
}
