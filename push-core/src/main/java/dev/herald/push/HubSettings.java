package dev.herald.push;

import dev.herald.push.spi.Broker;
import dev.herald.push.spi.HubObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Everything {@code PushHub.Builder} collected, already validated. Immutable.
 *
 * @param executor where outboxes drain and handlers run; {@code null} for the hub's own pool
 * @param maxConnections connections open at once on the node; {@link ConnectionLimits#UNLIMITED}
 *     for no cap, as for the other limits
 * @param maxConnectionsPerAddress connections open at once from one client address
 * @param openRate connections one client address may open per second, after its burst
 * @param openBurst connections one client address may open at once
 * @param ephemeralPatterns channels whose client publishes are ephemeral unless they say otherwise
 * @param maxMemberDataBytes the largest presence data a member may carry, in UTF-8 bytes of compact
 *     JSON
 * @param maxBatchDelay the longest a channel's next walk to its subscribers may wait for more of
 *     its messages to go out with it; zero for none
 */
record HubSettings(
    Broker broker,
    boolean ownsBroker,
    Authorizer authorizer,
    Authenticator authenticator,
    JsonCodec codec,
    int maxQueuedFrames,
    long maxQueuedBytes,
    OverflowPolicy overflowPolicy,
    int maxChannelsPerConnection,
    int replayBatchSize,
    Duration heartbeatInterval,
    Executor executor,
    List<ClientRule> clientRules,
    List<PresenceListener> presenceListeners,
    HubObserver observer,
    OriginList allowedOrigins,
    ProxyList trustedProxies,
    int maxConnections,
    int maxConnectionsPerAddress,
    int openRate,
    int openBurst,
    Duration closeTimeout,
    List<String> ephemeralPatterns,
    int maxMemberDataBytes,
    Duration maxBatchDelay) {

  /** Copies the lists. */
  public HubSettings {
    clientRules = List.copyOf(clientRules);
    presenceListeners = List.copyOf(presenceListeners);
    ephemeralPatterns = List.copyOf(ephemeralPatterns);
  }

  /**
   * Whether a client publish to the channel that does not say is ephemeral: the channel matches one
   * of {@code ephemeralPatterns} (an exact name, or a prefix followed by {@code *}).
   */
  public boolean ephemeralByDefault(String channel) {
    for (String pattern : ephemeralPatterns) {
      if (matches(pattern, channel)) {
        return true;
      }
    }
    return false;
  }

  /** An exact name, or a prefix and {@code *}; asked on every publish, without making a string. */
  static boolean matches(String pattern, String channel) {
    int star = pattern.length() - 1;
    return star >= 0 && pattern.charAt(star) == '*'
        ? channel.regionMatches(0, pattern, 0, star)
        : channel.equals(pattern);
  }

  /**
   * Channels that accept client messages. Immutable.
   *
   * @param pattern an exact channel name, or a prefix followed by {@code *}
   * @param handler sees each message before it is published
   */
  record ClientRule(String pattern, ClientMessageHandler handler) {
    /** Whether the rule covers the channel. */
    public boolean matches(String channel) {
      return HubSettings.matches(pattern, channel);
    }
  }

  /** The first rule covering the channel, or {@code null}. */
  public ClientRule clientRule(String channel) {
    for (ClientRule rule : clientRules) {
      if (rule.matches(channel)) {
        return rule;
      }
    }
    return null;
  }
}
