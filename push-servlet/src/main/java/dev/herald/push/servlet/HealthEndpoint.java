package dev.herald.push.servlet;

import dev.herald.push.HubHealth;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET …/health}: a hub's health as JSON, {@code 200} when it takes new clients and {@code
 * 503} when not. Stateless.
 *
 * <pre>{@code
 * {"status":"UP","ready":true,"draining":false,"closed":false,"connections":1520,
 *  "broker":{"status":"UP","detail":"connected to redis://10.0.0.5:6379"}}
 * }</pre>
 */
final class HealthEndpoint {
  private HealthEndpoint() {}

  static void serve(HubHealth health, HttpServletResponse response) throws IOException {
    byte[] body = json(health).getBytes(StandardCharsets.UTF_8);
    response.setStatus(
        health.ready() ? HttpServletResponse.SC_OK : HttpServletResponse.SC_SERVICE_UNAVAILABLE);
    response.setContentType("application/json");
    response.setHeader("Cache-Control", "no-store");
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }

  static String json(HubHealth health) {
    StringBuilder sb = new StringBuilder(160);
    sb.append("{\"status\":\"").append(health.status()).append('"');
    sb.append(",\"ready\":").append(health.ready());
    sb.append(",\"draining\":").append(health.draining());
    sb.append(",\"closed\":").append(health.closed());
    sb.append(",\"connections\":").append(health.connections());
    sb.append(",\"broker\":{\"status\":\"")
        .append(health.broker().status())
        .append("\",\"detail\":");
    HttpError.quote(sb, health.broker().detail());
    return sb.append("}}").toString();
  }
}
