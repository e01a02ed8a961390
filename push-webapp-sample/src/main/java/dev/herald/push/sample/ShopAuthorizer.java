package dev.herald.push.sample;

import dev.herald.push.Authorizer;
import dev.herald.push.Client;

/**
 * Channel {@code user/<name>} is for user {@code <name>} only, {@code orders} is public, other
 * channels are closed, and clients publish nowhere. Thread-safe.
 */
public class ShopAuthorizer implements Authorizer {
  /** Creates the authorizer; it holds no state. */
  public ShopAuthorizer() {}

  @Override
  public boolean canSubscribe(Client client, String channel) {
    if (channel.startsWith("user/")) {
      return client.isAuthenticated() && channel.equals("user/" + client.user());
    }
    return channel.equals("orders");
  }

  @Override
  public boolean canPublish(Client client, String channel) {
    return false;
  }
}
