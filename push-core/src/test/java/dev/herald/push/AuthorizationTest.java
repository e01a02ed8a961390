package dev.herald.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.push.spi.WireFormat;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AuthorizationTest {
  record Chat(String text) {}

  /** Users may only read their own {@code user/<name>} channel; anyone may publish to chat. */
  private static final Authorizer OWN_CHANNEL =
      new Authorizer() {
        @Override
        public boolean canSubscribe(Client client, String channel) {
          return !channel.startsWith("user/") || channel.equals("user/" + client.user());
        }

        @Override
        public boolean canPublish(Client client, String channel) {
          return client.isAuthenticated();
        }
      };

  private final PushHub hub =
      PushHub.builder()
          .authorizer(OWN_CHANNEL)
          .acceptClientMessages(
              "chat/*",
              message -> {
                Chat chat = message.dataAs(Chat.class);
                if (chat.text().isBlank()) {
                  throw new RejectedMessageException("empty message");
                }
                return message.withData(new Chat(chat.text().strip()));
              })
          .acceptClientMessages("echo", ClientMessageHandler.PASS_THROUGH)
          .acceptClientMessages(
              "broken",
              message -> {
                throw new IllegalStateException("bug in the application");
              })
          .build();

  private final Client ann = new Client("c1", "ann", null);
  private final Client anonymous = new Client("c2", null, null);

  @AfterEach
  void close() {
    hub.close();
  }

  private static ErrorCode code(Throwable t) {
    Throwable e = t instanceof CompletionException ? t.getCause() : t;
    return ((PushException) e).code();
  }

  @Test
  void subscribe_refusedByAuthorizer_isForbidden() {
    assertThatThrownBy(
            () ->
                hub.transportContext()
                    .connect(
                        ann, WireFormat.NDJSON, new RecordingSink(), List.of("user/bob"), null))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.FORBIDDEN));
    assertThat(
            hub.transportContext()
                .connect(ann, WireFormat.NDJSON, new RecordingSink(), List.of("user/ann"), null)
                .isOpen())
        .isTrue();
  }

  @Test
  void publish_toChannelWithoutRule_isForbiddenEvenWhenAuthorized() {
    assertThatThrownBy(() -> hub.transportContext().publishAs(ann, "news", "e", "1"))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.FORBIDDEN))
        .hasMessageContaining("does not accept client messages");
  }

  @Test
  void publish_refusedByAuthorizer_isForbidden() {
    assertThatThrownBy(
            () ->
                hub.transportContext()
                    .publishAs(anonymous, "chat/lobby", "chat", "{\"text\":\"hi\"}"))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.FORBIDDEN));
  }

  @Test
  void publish_passesTheHandlerWhichTransforms() {
    Message m =
        hub.transportContext()
            .publishAs(ann, "chat/lobby", "chat", "{\"text\":\"  hi  \"}")
            .toCompletableFuture()
            .join();
    assertThat(m.data()).isEqualTo("{\"text\":\"hi\"}");
    assertThat(m.publisherId()).isEqualTo("c1");
    assertThat(m.event()).isEqualTo("chat");
  }

  @Test
  void publish_rejectedByHandler_failsWithRejectedAndPublishesNothing() {
    assertThatThrownBy(
            () ->
                hub.transportContext()
                    .publishAs(ann, "chat/lobby", "chat", "{\"text\":\"  \"}")
                    .toCompletableFuture()
                    .join())
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.REJECTED))
        .hasMessageContaining("empty message");
    assertThat(hub.channel("chat/lobby").position().toCompletableFuture().join().offset()).isZero();
  }

  @Test
  void publish_dataThatDoesNotBind_isBadRequest() {
    assertThatThrownBy(
            () ->
                hub.transportContext()
                    .publishAs(ann, "chat/lobby", "chat", "{\"text\":[1]}")
                    .toCompletableFuture()
                    .join())
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.BAD_REQUEST));
  }

  @Test
  void publish_handlerBug_isInternalWithoutDetails() {
    assertThatThrownBy(
            () ->
                hub.transportContext()
                    .publishAs(ann, "broken", "e", "1")
                    .toCompletableFuture()
                    .join())
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.INTERNAL))
        .satisfies(
            e -> assertThat(e.getCause().getMessage()).doesNotContain("bug in the application"));
  }

  @Test
  void publish_exactPatternMatchesOnlyThatChannel() {
    assertThat(
            hub.transportContext()
                .publishAs(ann, "echo", "e", "1")
                .toCompletableFuture()
                .join()
                .offset())
        .isEqualTo(1);
    assertThatThrownBy(() -> hub.transportContext().publishAs(ann, "echo2", "e", "1"))
        .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.FORBIDDEN));
  }

  @Test
  void authorizerThatThrows_isInternalNotALeak() {
    Authorizer failing =
        new Authorizer() {
          @Override
          public boolean canSubscribe(Client client, String channel) {
            throw new IllegalStateException("db down");
          }

          @Override
          public boolean canPublish(Client client, String channel) {
            throw new IllegalStateException("db down");
          }
        };
    try (PushHub h =
        PushHub.builder()
            .authorizer(failing)
            .acceptClientMessages("*", ClientMessageHandler.PASS_THROUGH)
            .build()) {
      assertThatThrownBy(
              () ->
                  h.transportContext()
                      .connect(ann, WireFormat.NDJSON, new RecordingSink(), List.of("a"), null))
          .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.INTERNAL));
      assertThatThrownBy(() -> h.transportContext().publishAs(ann, "a", "e", "1"))
          .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.INTERNAL));
      assertThat(h.connectionCount()).isZero();
    }
  }
}
