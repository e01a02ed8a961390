package dev.herald.push;

import java.util.Objects;

/** A message a client wants to publish, as a {@link ClientMessageHandler} sees it. Immutable. */
public final class ClientMessage {
  private final Client client;
  private final String channel;
  private final String event;
  private final String data;
  private final JsonCodec codec;

  private ClientMessage(Client client, String channel, String event, String data, JsonCodec codec) {
    this.client = Objects.requireNonNull(client, "client");
    this.channel = Names.checkChannel(channel);
    this.event = Names.checkEvent(event);
    this.data = Objects.requireNonNull(data, "data");
    this.codec = codec;
  }

  /**
   * Creates a client message; transports and tests use it, handlers use {@link #withData} and
   * {@link #withEvent}.
   *
   * @param data compact JSON text
   * @param codec binds the data for {@link #dataAs}
   */
  public static ClientMessage create(
      Client client, String channel, String event, String data, JsonCodec codec) {
    return new ClientMessage(client, channel, event, data, Objects.requireNonNull(codec, "codec"));
  }

  /** Who sent it. */
  public Client client() {
    return client;
  }

  /** The channel it is for. */
  public String channel() {
    return channel;
  }

  /** The event name the client gave. */
  public String event() {
    return event;
  }

  /** The payload as compact JSON text. */
  public String data() {
    return data;
  }

  /**
   * The payload bound to a type with the hub's {@code ObjectMapper}.
   *
   * @throws PushException with {@link ErrorCode#BAD_REQUEST} if it does not fit the type
   */
  public <T> T dataAs(Class<T> type) {
    return codec.fromJson(data, type);
  }

  /** A copy with another payload, serialised with the hub's {@code ObjectMapper}. */
  public ClientMessage withData(Object newData) {
    return new ClientMessage(client, channel, event, codec.toJson(newData), codec);
  }

  /** A copy with another event name. */
  public ClientMessage withEvent(String newEvent) {
    return new ClientMessage(client, channel, newEvent, data, codec);
  }

  @Override
  public String toString() {
    return "ClientMessage[channel="
        + channel
        + ", event="
        + event
        + ", client="
        + client.id()
        + "]";
  }
}
