package dev.herald.push.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code GET …/herald.js} and {@code …/herald.mjs} on both containers. */
class ClientScriptTest {
  /** The npm package's folder, whose files the servlet serves. */
  private static final Path PACKAGE = Path.of("..", "herald-js");

  @OnBothContainers
  void script_isServedAsJavaScriptWithCachingHeaders(TestServer server) throws Exception {
    HttpResponse<String> js = Http.get(server, "/push/herald.js");
    assertThat(js.statusCode()).isEqualTo(200);
    assertThat(js.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/javascript");
    assertThat(js.headers().firstValue("Cache-Control").orElseThrow()).contains("max-age=");
    assertThat(js.body()).isEqualTo(Files.readString(PACKAGE.resolve("herald.js")));
    String etag = js.headers().firstValue("ETag").orElseThrow();

    HttpResponse<String> again = Http.get(server, "/push/herald.js", "If-None-Match", etag);
    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(again.body()).isEmpty();
  }

  @OnBothContainers
  void module_isThePackagesModuleEntry(TestServer server) throws Exception {
    HttpResponse<String> js = Http.get(server, "/push/herald.js");
    HttpResponse<String> mjs = Http.get(server, "/push/herald.mjs");
    assertThat(mjs.statusCode()).isEqualTo(200);
    assertThat(mjs.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("text/javascript");
    assertThat(mjs.body())
        .isEqualTo(Files.readString(PACKAGE.resolve("herald.mjs")))
        .contains("import './herald.js'", "export default Herald");
    assertThat(mjs.headers().firstValue("ETag")).isNotEqualTo(js.headers().firstValue("ETag"));
  }

  @OnBothContainers
  void script_wrongMethod_is405(TestServer server) throws Exception {
    HttpResponse<String> response = Http.post(server, "/push/herald.js", "application/json", "{}");
    Http.assertError(response, 405, "method_not_allowed");
  }
}
