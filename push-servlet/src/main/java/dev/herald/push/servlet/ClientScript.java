package dev.herald.push.servlet;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Serves the browser client, the files of the npm package {@code herald-push} (copied from {@code
 * herald-js/} into this jar by the build): {@code herald.js}, the classic script, and {@code
 * herald.mjs}, the ES module that imports it from beside itself and re-exports it. Both are read
 * once and revalidated by ETag. Immutable.
 */
final class ClientScript {
  private final byte[] body;
  private final String etag;

  private ClientScript(byte[] body) {
    this.body = body;
    this.etag = "\"" + sha256(body).substring(0, 16) + "\"";
  }

  /** The classic script. */
  static ClientScript classic() {
    return new ClientScript(resource("herald.js"));
  }

  /** The ES module. */
  static ClientScript module() {
    return new ClientScript(resource("herald.mjs"));
  }

  void serve(HttpServletRequest request, HttpServletResponse response) throws IOException {
    response.setHeader("ETag", etag);
    // Browsers may keep it an hour, then revalidate cheaply: a new Herald version shows up then.
    response.setHeader("Cache-Control", "public, max-age=3600");
    response.setHeader("X-Content-Type-Options", "nosniff");
    String ifNoneMatch = request.getHeader("If-None-Match");
    if (ifNoneMatch != null && ifNoneMatch.contains(etag)) {
      response.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
      return;
    }
    response.setContentType("text/javascript;charset=utf-8");
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }

  private static byte[] resource(String name) {
    try (InputStream in = ClientScript.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from push-servlet's jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
