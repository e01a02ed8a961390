package dev.herald.push.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class DemoServerTest {
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void start_servesTheIndexPageAndStylesheet() throws Exception {
    try (DemoServer demo = DemoServer.start(new DemoOptions(0, null, false))) {
      HttpResponse<String> index = get(demo.port(), "/");
      assertThat(index.statusCode()).isEqualTo(200);
      assertThat(index.headers().firstValue("content-type"))
          .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
      assertThat(index.body()).contains("<h1>Herald</h1>");
      assertThat(get(demo.port(), "/style.css").statusCode()).isEqualTo(200);
      assertThat(get(demo.port(), "/nope.html").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void close_closesTheHub() throws Exception {
    DemoServer demo = DemoServer.start(new DemoOptions(0, null, false));
    demo.close();
    assertThat(demo.hub().isClosed()).isTrue();
  }
}
