package dev.herald.push;

/**
 * Decides, per client and channel, whether a subscribe or a client publish may go ahead.
 * Implementations must be thread-safe; they are called on the container thread that handles the
 * request or frame, so they should answer quickly and never block on I/O for long.
 *
 * <p>A client publish also needs the channel to accept client messages at all (see {@link
 * PushHub.Builder#acceptClientMessages}); the authorizer can only narrow that further.
 */
public interface Authorizer {
  /** Lets every client subscribe to every channel and publish wherever the channel accepts it. */
  Authorizer ALLOW_ALL =
      new Authorizer() {
        @Override
        public boolean canSubscribe(Client client, String channel) {
          return true;
        }

        @Override
        public boolean canPublish(Client client, String channel) {
          return true;
        }
      };

  /** Whether {@code client} may receive the messages of {@code channel}. */
  boolean canSubscribe(Client client, String channel);

  /** Whether {@code client} may publish to {@code channel}. */
  boolean canPublish(Client client, String channel);

  /**
   * Whether {@code client}, which may subscribe to {@code channel}, may show itself in the
   * channel's presence with this data (a display name, a colour; see {@link Member#data()}). Asked
   * only when the client gives data, after {@link #canSubscribe}; a refusal refuses the subscribe
   * with {@code forbidden}. The default allows any data within the hub's {@code
   * maxMemberDataBytes}: override it where members could pass for someone else, for example to
   * require that a name matches {@link Client#user()}.
   *
   * @param memberData compact JSON text
   */
  default boolean canJoin(Client client, String channel, String memberData) {
    return true;
  }
}
