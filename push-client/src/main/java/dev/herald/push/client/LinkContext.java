package dev.herald.push.client;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * What every transport link shares: the HTTP client, the endpoints, the credentials, the callback
 * thread it pushes back on, the timeouts and the engine it reports to. Immutable.
 */
record LinkContext(
    HttpClient http,
    Endpoints endpoints,
    Supplier<String> token,
    Dispatcher dispatcher,
    Duration connectTimeout,
    Duration pollTimeout,
    LinkListener listener) {

  /** Adds {@code Authorization: Bearer …} if there is a token. */
  HttpRequest.Builder authorize(HttpRequest.Builder request) {
    String t = bearer();
    return t == null ? request : request.header("Authorization", "Bearer " + t);
  }

  /** Adds {@code Authorization: Bearer …} to a WebSocket handshake if there is a token. */
  WebSocket.Builder authorize(WebSocket.Builder request) {
    String t = bearer();
    return t == null ? request : request.header("Authorization", "Bearer " + t);
  }

  private String bearer() {
    if (token == null) {
      return null;
    }
    String t = token.get();
    return t == null || t.isBlank() ? null : t.trim();
  }
}
