package dev.herald.push.spring.boot;

import dev.herald.push.PushHub;
import dev.herald.push.servlet.PushServlet;
import dev.herald.push.websocket.PushWebSocketOptions;

/**
 * Turns {@code herald.*} into the builders' calls. The builders check every value, so a bad
 * property fails the start with the builder's message, which names the setting.
 */
final class HubSettingsFromProperties {
  private HubSettingsFromProperties() {}

  static void apply(HeraldProperties p, PushHub.Builder builder) {
    builder
        .allowedOrigins(p.getAllowedOrigins().toArray(String[]::new))
        .trustedProxies(p.getTrustedProxies().toArray(String[]::new))
        .heartbeatInterval(p.getHeartbeatInterval())
        .closeTimeout(p.getCloseTimeout())
        .maxBatchDelay(p.getMaxBatchDelay())
        .maxMessageBytes(intBytes("herald.max-message-size", p.getMaxMessageSize().toBytes()))
        .maxJsonDepth(p.getMaxJsonDepth())
        .maxQueuedFrames(p.getMaxQueuedFrames())
        .maxQueuedBytes(p.getMaxQueuedSize().toBytes())
        .overflowPolicy(p.getOverflowPolicy())
        .maxChannelsPerConnection(p.getMaxChannelsPerConnection())
        .replayBatchSize(p.getReplayBatchSize())
        .ephemeralChannels(p.getEphemeralChannels().toArray(String[]::new))
        .maxMemberDataBytes(
            intBytes("herald.max-member-data-size", p.getMaxMemberDataSize().toBytes()));
    HeraldProperties.Limits limits = p.getLimits();
    if (limits.isEnabled()) {
      builder
          .maxConnections(limits.getMaxConnections())
          .maxConnectionsPerAddress(limits.getMaxConnectionsPerAddress())
          .openRate(limits.getOpenRate(), limits.getOpenBurst());
    } else {
      builder.noConnectionLimits();
    }
  }

  static PushServlet servlet(HeraldProperties p, PushHub hub) {
    HeraldProperties.Http http = p.getHttp();
    return PushServlet.builder(hub)
        .pollTimeout(http.getPollTimeout())
        .sseRetry(http.getSseRetry())
        .healthEndpoint(http.isHealthEndpoint())
        .build();
  }

  static PushWebSocketOptions webSocketOptions(HeraldProperties p) {
    HeraldProperties.WebSocket ws = p.getWebsocket();
    return PushWebSocketOptions.builder()
        .maxFrameBytes(intBytes("herald.websocket.max-frame-size", ws.getMaxFrameSize().toBytes()))
        .maxFrameRate(ws.getMaxFrameRate())
        .frameBurst(ws.getFrameBurst())
        .pingInterval(ws.getPingInterval())
        .idleTimeout(ws.getIdleTimeout())
        .sendTimeout(ws.getSendTimeout())
        .build();
  }

  private static int intBytes(String property, long bytes) {
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(property + " must be below 2 GB, was " + bytes + " bytes");
    }
    return (int) bytes;
  }
}
