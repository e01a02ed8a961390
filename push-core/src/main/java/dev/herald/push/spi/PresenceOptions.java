package dev.herald.push.spi;

/**
 * How a subscription shows in its channel's presence, and whether its connection hears the
 * channel's presence. Immutable.
 *
 * @param memberData the member's presence data as compact JSON text (at most the hub's {@code
 *     maxMemberDataBytes}; it passes {@code Authorizer.canJoin}), or {@code null} for none
 * @param events whether the connection gets the channel's {@code members} snapshot and then its
 *     {@code join} and {@code leave} frames
 */
public record PresenceOptions(String memberData, boolean events) {
  /** No data, no presence frames: a plain subscribe. */
  public static final PresenceOptions NONE = new PresenceOptions(null, false);
}
