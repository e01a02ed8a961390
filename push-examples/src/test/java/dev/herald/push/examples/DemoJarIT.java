package dev.herald.push.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Runs the packaged jar as a newcomer would, then stops it with SIGTERM. */
class DemoJarIT {
  private static final Pattern RUNNING = Pattern.compile("running at http://localhost:(\\d+)/");

  @Test
  void jar_startsServesAndShutsDownCleanlyOnSigterm() throws Exception {
    Path jar = Path.of("target", "push-examples.jar");
    assertThat(jar).exists();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process =
        new ProcessBuilder(java, "-jar", jar.toString(), "--port", "0")
            .redirectErrorStream(true)
            .start();
    List<String> output = new CopyOnWriteArrayList<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                  output.add(line);
                }
              } catch (IOException e) {
                output.add("read failed: " + e);
              }
            });
    reader.start();
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> output.stream().anyMatch(l -> RUNNING.matcher(l).find()) || !process.isAlive());
      int port =
          output.stream()
              .map(RUNNING::matcher)
              .filter(Matcher::find)
              .map(m -> Integer.parseInt(m.group(1)))
              .findFirst()
              .orElseThrow(() -> new AssertionError("the demo did not start: " + output));
      HttpResponse<String> index =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/")).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(index.statusCode()).isEqualTo(200);
      assertThat(index.body()).contains("Herald");
      URI metricsUri = URI.create("http://localhost:" + port + "/metrics");
      HttpResponse<String> metrics =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(metricsUri).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.body()).contains("herald_connections{transport=\"websocket\"}");

      Process kill = new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start();
      assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
      reader.join(10_000);
      assertThat(String.join("\n", output)).contains("Shutting down");
      assertThat(process.exitValue()).isEqualTo(143);
    } finally {
      process.destroyForcibly();
    }
  }
}
