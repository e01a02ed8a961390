package dev.herald.push.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The server's drain hints as the client reads them from frames and HTTP answers. */
class RetryHintTest {
  private static HttpHeaders headers(String name, String value) {
    return HttpHeaders.of(Map.of(name, List.of(value)), (n, v) -> true);
  }

  private static final HttpHeaders NONE = HttpHeaders.of(Map.of(), (n, v) -> true);

  @Test
  void serverRestartFrame_carriesItsRetryWindow() {
    ServerFrame frame =
        FrameReader.frame(
            "{\"type\":\"error\",\"code\":\"server_restart\",\"message\":\"draining\","
                + "\"retry\":1000}");

    assertThat(frame)
        .isEqualTo(new ServerFrame.ErrorFrame("server_restart", "draining", null, 1000L));
    assertThat(RetryHint.of((ServerFrame.ErrorFrame) frame))
        .isEqualTo(new RetryHint("server_restart", 1000));
  }

  @Test
  void errorFrames_thatAreNotTransient_carryNoHint() {
    ServerFrame.ErrorFrame slow =
        (ServerFrame.ErrorFrame)
            FrameReader.frame("{\"type\":\"error\",\"code\":\"slow_consumer\",\"retry\":5}");

    assertThat(slow.retry()).isEqualTo(5L);
    assertThat(RetryHint.of(slow)).isNull();
    assertThat(
            ((ServerFrame.ErrorFrame)
                    FrameReader.frame("{\"type\":\"error\",\"code\":\"unavailable\",\"retry\":-3}"))
                .retry())
        .isNull();
  }

  @Test
  void http503_withRetryAfterSeconds_isAWindowInMilliseconds() {
    String body = "{\"type\":\"error\",\"code\":\"unavailable\",\"message\":\"draining\"}";

    assertThat(RetryHint.ofHttp(503, headers("Retry-After", "3"), body))
        .isEqualTo(new RetryHint("unavailable", 3000));
    assertThat(RetryHint.ofHttp(503, headers("retry-after", " 2 "), "<html>busy</html>"))
        .isEqualTo(new RetryHint("unavailable", 2000));
  }

  @Test
  void http503_withoutAUsableRetryAfter_hasNoWindow_butIsStillTransient() {
    assertThat(RetryHint.ofHttp(503, NONE, null)).isEqualTo(new RetryHint("unavailable", -1));
    assertThat(RetryHint.ofHttp(503, headers("Retry-After", "Wed, 21 Oct 2026 07:28:00 GMT"), ""))
        .isEqualTo(new RetryHint("unavailable", -1));
  }

  @Test
  void bodyRetry_winsOverRetryAfter_andAServerRestartBodyCountsWhateverTheStatus() {
    String body = "{\"type\":\"error\",\"code\":\"server_restart\",\"retry\":750}";

    assertThat(RetryHint.ofHttp(503, headers("Retry-After", "9"), body))
        .isEqualTo(new RetryHint("server_restart", 750));
    assertThat(RetryHint.ofHttp(200, NONE, body)).isEqualTo(new RetryHint("server_restart", 750));
  }

  @Test
  void http429_isARateLimitedHint_whoseRetryAfterIsTheLeastDelay() {
    String body = "{\"type\":\"error\",\"code\":\"rate_limited\",\"message\":\"too many\"}";

    RetryHint hint = RetryHint.ofHttp(429, headers("Retry-After", "2"), body);

    assertThat(hint).isEqualTo(new RetryHint("rate_limited", 2000));
    assertThat(hint.windowIsFloor()).isTrue();
    assertThat(RetryHint.ofHttp(429, NONE, "<html>slow down</html>"))
        .isEqualTo(new RetryHint("rate_limited", -1));
    assertThat(RetryHint.ofHttp(503, headers("Retry-After", "2"), null).windowIsFloor()).isFalse();
  }

  @Test
  void rateLimitedFrame_isAHintOnlyWithItsRetry() {
    ServerFrame.ErrorFrame refused =
        (ServerFrame.ErrorFrame)
            FrameReader.frame(
                "{\"type\":\"error\",\"code\":\"rate_limited\",\"message\":\"too many\","
                    + "\"retry\":1000}");
    ServerFrame.ErrorFrame frameOverRate =
        (ServerFrame.ErrorFrame)
            FrameReader.frame("{\"type\":\"error\",\"code\":\"rate_limited\",\"ref\":\"7\"}");

    assertThat(RetryHint.of(refused)).isEqualTo(new RetryHint("rate_limited", 1000));
    assertThat(RetryHint.of(frameOverRate)).isNull();
  }

  @Test
  void otherRefusals_areNoHint() {
    String forbidden = "{\"type\":\"error\",\"code\":\"forbidden\",\"message\":\"no\"}";

    assertThat(RetryHint.ofHttp(403, headers("Retry-After", "1"), forbidden)).isNull();
    assertThat(RetryHint.ofHttp(502, NONE, "bad gateway")).isNull();
  }

  @Test
  void hugeWindows_areCappedAtAnHour() {
    assertThat(RetryHint.ofHttp(503, headers("Retry-After", "999999"), null).windowMillis())
        .isEqualTo(RetryHint.MAX_WINDOW_MILLIS);
  }

  @Test
  void link_keepsTheHintThatNamesAWindow() {
    FakeLink l = new FakeLink(Transport.WEBSOCKET);
    l.hint(new RetryHint("server_restart", 1200));
    l.hint(new RetryHint("server_restart", -1)); // the close 1012 that follows the frame
    l.hint(null);

    assertThat(l.hint()).isEqualTo(new RetryHint("server_restart", 1200));
  }
}
