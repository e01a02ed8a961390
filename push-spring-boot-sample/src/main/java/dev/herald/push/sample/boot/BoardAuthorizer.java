package dev.herald.push.sample.boot;

import dev.herald.push.Authorizer;
import dev.herald.push.Client;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.stereotype.Component;

/**
 * Who may read and write which channel. The starter hands this bean to the hub; {@code
 * client.user()} is the name Spring Security signed in, on every transport.
 *
 * <ul>
 *   <li>{@code orders}: every signed-in user reads it; only the server writes it.
 *   <li>{@code orders/admin}: users with {@code ROLE_ADMIN} read it.
 *   <li>{@code user/<name>}: that user only.
 *   <li>{@code notes}: every signed-in user reads it and publishes to it (opened to client messages
 *       by {@link BoardNotes}).
 * </ul>
 *
 * <p>Herald calls it on its own threads, outside the request, so roles are looked up by name in the
 * {@link UserDetailsService} rather than read from the security context. Thread-safe.
 */
@Component
class BoardAuthorizer implements Authorizer {
  private final UserDetailsService users;

  BoardAuthorizer(UserDetailsService users) {
    this.users = users;
  }

  @Override
  public boolean canSubscribe(Client client, String channel) {
    if (!client.isAuthenticated()) {
      return false;
    }
    return switch (channel) {
      case "orders", "notes" -> true;
      case "orders/admin" -> hasRole(client.user(), "ROLE_ADMIN");
      default -> channel.equals("user/" + client.user());
    };
  }

  @Override
  public boolean canPublish(Client client, String channel) {
    return client.isAuthenticated() && channel.equals("notes");
  }

  private boolean hasRole(String user, String role) {
    try {
      return users.loadUserByUsername(user).getAuthorities().stream()
          .map(GrantedAuthority::getAuthority)
          .anyMatch(role::equals);
    } catch (UsernameNotFoundException e) {
      return false;
    }
  }
}
