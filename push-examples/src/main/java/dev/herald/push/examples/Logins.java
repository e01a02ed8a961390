package dev.herald.push.examples;

import dev.herald.push.Authenticator;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The notifications demo's login: a user name is all it asks, and the token it hands out is the
 * name signed with a key this process made up at start ({@code name.signature}). The hub's {@link
 * Authenticator} turns the token back into the name, so every transport knows the user: herald.js
 * sends it as {@code Authorization: Bearer} or, where a browser API cannot set headers, as {@code
 * access_token}. A real application would use its own sessions or tokens. Thread-safe.
 */
final class Logins implements Authenticator {
  /** User names also make channel names, so they keep to a safe alphabet. */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,24}");

  private final byte[] key = new byte[32];

  Logins() {
    new SecureRandom().nextBytes(key);
  }

  /**
   * A token for the user.
   *
   * @throws IllegalArgumentException if the name is not 1–24 letters, digits, {@code _} or {@code
   *     -}
   */
  String login(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "a user name is 1 to 24 letters, digits, _ or -, was \"" + name + "\"");
    }
    return name + "." + sign(name);
  }

  @Override
  public String authenticate(String token) {
    int dot = token.lastIndexOf('.');
    if (dot <= 0) {
      return null;
    }
    String name = token.substring(0, dot);
    byte[] given = token.substring(dot + 1).getBytes(StandardCharsets.US_ASCII);
    byte[] expected = sign(name).getBytes(StandardCharsets.US_ASCII);
    return NAME.matcher(name).matches() && MessageDigest.isEqual(given, expected) ? name : null;
  }

  private String sign(String name) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] sig = mac.doFinal(name.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
