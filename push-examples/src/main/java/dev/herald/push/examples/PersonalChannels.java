package dev.herald.push.examples;

import dev.herald.push.Authorizer;
import dev.herald.push.Client;

/**
 * The demo's {@link Authorizer}: {@code user/<name>} is readable only by the user {@code <name>}
 * and written only by the server; every other channel is open to all (client publishes still need a
 * channel that accepts them, as the chat rooms do). Thread-safe (stateless).
 */
final class PersonalChannels implements Authorizer {
  static final String PREFIX = "user/";

  @Override
  public boolean canSubscribe(Client client, String channel) {
    if (!channel.startsWith(PREFIX)) {
      return true;
    }
    return client.isAuthenticated() && channel.equals(PREFIX + client.user());
  }

  @Override
  public boolean canPublish(Client client, String channel) {
    return !channel.startsWith(PREFIX);
  }
}
