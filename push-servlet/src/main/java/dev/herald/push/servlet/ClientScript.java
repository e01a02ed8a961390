package dev.herald.push.servlet;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Serves the browser client: {@code herald.js} as a classic script and {@code herald.mjs}, the same
 * source with ES module exports appended. Both are read once and revalidated by ETag. Immutable.
 */
final class ClientScript {
  private static final String SOURCE = "herald.js";
  private static final String MODULE_EXPORTS =
      "\nexport default globalThis.Herald;\nexport const connect = globalThis.Herald.connect;\n";

  private final byte[] body;
  private final String etag;

  private ClientScript(byte[] body) {
    this.body = body;
    this.etag = "\"" + sha256(body).substring(0, 16) + "\"";
  }

  /** The classic script. */
  static ClientScript classic() {
    return new ClientScript(source());
  }

  /** The ES module. */
  static ClientScript module() {
    byte[] source = source();
    byte[] exports = MODULE_EXPORTS.getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[source.length + exports.length];
    System.arraycopy(source, 0, all, 0, source.length);
    System.arraycopy(exports, 0, all, source.length, exports.length);
    return new ClientScript(all);
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

  private static byte[] source() {
    try (InputStream in = ClientScript.class.getResourceAsStream(SOURCE)) {
      if (in == null) {
        throw new IllegalStateException(SOURCE + " is missing from push-servlet's jar");
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
