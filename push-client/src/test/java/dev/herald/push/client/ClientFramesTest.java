package dev.herald.push.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;

class ClientFramesTest {
  @Test
  void clientFrames_areCompactJsonWithEscaping() {
    assertThat(ClientFrames.subscribe("chat/\"x\"", null, "s1"))
        .isEqualTo("{\"type\":\"subscribe\",\"channel\":\"chat/\\\"x\\\"\",\"ref\":\"s1\"}");
    assertThat(ClientFrames.subscribe("a", "1~c", "s2"))
        .isEqualTo("{\"type\":\"subscribe\",\"channel\":\"a\",\"since\":\"1~c\",\"ref\":\"s2\"}");
    assertThat(ClientFrames.unsubscribe("a"))
        .isEqualTo("{\"type\":\"unsubscribe\",\"channel\":\"a\"}");
    assertThat(ClientFrames.publish("a", "e", JsonNodeFactory.instance.textNode("hi"), false, "p1"))
        .isEqualTo(
            "{\"type\":\"publish\",\"channel\":\"a\",\"event\":\"e\",\"data\":\"hi\",\"ref\":\"p1\"}");
    assertThat(ClientFrames.publishBody("a", "e", JsonNodeFactory.instance.nullNode(), false))
        .isEqualTo("{\"channel\":\"a\",\"event\":\"e\",\"data\":null}");
    assertThat(ClientFrames.publish("a", "e", JsonNodeFactory.instance.numberNode(1), true, "p2"))
        .isEqualTo(
            "{\"type\":\"publish\",\"channel\":\"a\",\"event\":\"e\",\"data\":1,"
                + "\"ephemeral\":true,\"ref\":\"p2\"}");
    assertThat(ClientFrames.publishBody("a", "e", JsonNodeFactory.instance.nullNode(), true))
        .isEqualTo("{\"channel\":\"a\",\"event\":\"e\",\"data\":null,\"ephemeral\":true}");
    assertThat(ClientFrames.ping()).isEqualTo("{\"type\":\"ping\"}");
  }
}
