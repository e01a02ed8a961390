package dev.herald.push;

import java.util.Objects;

/** A message a client wants to publish, as a {@link ClientMessageHandler} sees it. Immutable. */
public final class ClientMessage {
  private final Client client;
  private final String channel;
  private final String event;
  private final String data;
  private final JsonCodec codec;
  private final boolean ephemeral;

  private ClientMessage(
      Client client,
      String channel,
      String event,
      String data,
      JsonCodec codec,
      boolean ephemeral) {
    this.client = Objects.requireNonNull(client, "client");
    this.channel = Names.checkChannel(channel);
    this.event = Names.checkEvent(event);
    this.data = Objects.requireNonNull(data, "data");
    this.codec = codec;
    this.ephemeral = ephemeral;
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
    return create(client, channel, event, data, codec, false);
  }

  /**
   * Creates a client message that is stored or, if {@code ephemeral}, only delivered live.
   *
   * @param data compact JSON text
   * @param codec binds the data for {@link #dataAs}
   */
  public static ClientMessage create(
      Client client,
      String channel,
      String event,
      String data,
      JsonCodec codec,
      boolean ephemeral) {
    return new ClientMessage(
        client, channel, event, data, Objects.requireNonNull(codec, "codec"), ephemeral);
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
   * Whether it will be delivered live only, never stored ({@link EphemeralMessage}): what the
   * client asked for, or the channel's default (see {@code PushHub.Builder#ephemeralChannels}) when
   * it did not say.
   */
  public boolean ephemeral() {
    return ephemeral;
  }

  /**
   * A copy that is ephemeral or stored, whatever the client asked: for example to keep a channel's
   * history free of cursor moves, or to store what must never be lost.
   */
  public ClientMessage withEphemeral(boolean newEphemeral) {
    return new ClientMessage(client, channel, event, data, codec, newEphemeral);
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
    return new ClientMessage(client, channel, event, codec.toJson(newData), codec, ephemeral);
  }

  /** A copy with another event name. */
  public ClientMessage withEvent(String newEvent) {
    return new ClientMessage(client, channel, newEvent, data, codec, ephemeral);
  }

  @Override
  public String toString() {
    return "ClientMessage[channel="
        + channel
        + ", event="
        + event
        + ", client="
        + client.id()
        + (ephemeral ? ", ephemeral" : "")
        + "]";
  }
}
