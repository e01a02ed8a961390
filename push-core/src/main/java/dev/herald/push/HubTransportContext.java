package dev.herald.push;

import dev.herald.push.spi.AccessPolicy;
import dev.herald.push.spi.Connection;
import dev.herald.push.spi.FrameSink;
import dev.herald.push.spi.HubObserver;
import dev.herald.push.spi.TransportContext;
import dev.herald.push.spi.WireFormat;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/** The {@link TransportContext} of one hub. Thread-safe. */
final class HubTransportContext implements TransportContext {
  private final Hub hub;
  private final AccessPolicy accessPolicy;

  HubTransportContext(Hub hub) {
    this.hub = hub;
    HubSettings settings = hub.settings();
    this.accessPolicy =
        new HubAccessPolicy(
            settings.allowedOrigins(), settings.trustedProxies(), settings.authenticator());
  }

  @Override
  public Connection connect(
      Client client,
      WireFormat format,
      FrameSink sink,
      Collection<String> channels,
      Cursor since,
      String memberData,
      Collection<String> presenceChannels) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(sink, "sink");
    return hub.connect(
        client,
        format,
        sink,
        List.copyOf(channels),
        since,
        memberData,
        java.util.Set.copyOf(presenceChannels));
  }

  @Override
  public void admit(Client client, WireFormat format, Cursor since) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(format, "format");
    hub.limits().admit(client.remoteAddress(), format, since != null);
  }

  @Override
  public CompletionStage<Publication> publishAs(
      Client client, String channel, String event, String data, Boolean ephemeral) {
    return hub.clientPublish(client, channel, event, data, ephemeral);
  }

  @Override
  public Client newClient(String user, String remoteAddress) {
    return new Client(Hub.newClientId(), user, remoteAddress);
  }

  @Override
  public Authenticator authenticator() {
    return hub.settings().authenticator();
  }

  @Override
  public AccessPolicy accessPolicy() {
    return accessPolicy;
  }

  @Override
  public JsonCodec codec() {
    return hub.settings().codec();
  }

  @Override
  public Duration heartbeatInterval() {
    return hub.settings().heartbeatInterval();
  }

  @Override
  public Duration closeTimeout() {
    return hub.settings().closeTimeout();
  }

  @Override
  public int maxChannelsPerConnection() {
    return hub.settings().maxChannelsPerConnection();
  }

  @Override
  public boolean isClosed() {
    return hub.isClosed();
  }

  @Override
  public boolean isDraining() {
    return hub.isDraining();
  }

  @Override
  public Duration retryAfter() {
    return Hub.RETRY_AFTER;
  }

  @Override
  public HubObserver observer() {
    return hub.counters();
  }

  @Override
  public String toString() {
    return "TransportContext[connections=" + hub.connectionCount() + "]";
  }
}
