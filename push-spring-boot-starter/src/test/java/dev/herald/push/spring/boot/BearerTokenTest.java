package dev.herald.push.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.herald.push.Authorizer;
import dev.herald.push.Client;
import dev.herald.push.Message;
import dev.herald.push.PushHub;
import dev.herald.push.client.HeraldClient;
import dev.herald.push.client.Transport;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.web.DefaultBearerTokenResolver;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Bearer tokens checked by Spring Security's resource server, on a real Tomcat: the token's subject
 * is Herald's user on every transport, whether the token comes as an {@code Authorization} header
 * (Herald's Java client; herald.js on NDJSON, polls and publishes) or as the {@code access_token}
 * query parameter (herald.js on WebSocket and EventSource), which the resolver reads once told to.
 */
@SpringBootTest(
    classes = BearerTokenTest.TokenApp.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class BearerTokenTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final byte[] SECRET =
      "a secret of at least 256 bits for HS256 tokens".getBytes(StandardCharsets.UTF_8);

  @LocalServerPort int port;
  @Autowired PushHub hub;

  @ParameterizedTest
  @EnumSource(Transport.class)
  void tokenInTheAuthorizationHeader_isTheUserOnEveryTransport(Transport transport)
      throws Exception {
    List<Message> mine = new CopyOnWriteArrayList<>();
    try (HeraldClient client =
        HeraldClient.builder(URI.create("http://localhost:" + port + "/push"))
            .transports(transport)
            .bearerToken(token("tess"))
            .build()) {
      // user/tess is open to tess alone.
      client.subscribe("user/tess", mine::add);
      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                hub.channel("user/tess").publish("hello", "tess");
                return !mine.isEmpty();
              });
      assertThat(mine.get(0).data()).isEqualTo("\"tess\"");
    }
  }

  @Test
  void tokenInTheQuery_asHeraldJsSendsItOnEventSource_isTheUserToo() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String sse = "http://localhost:" + port + "/push/sse?channel=user/tess";

    HttpResponse<InputStream> anonymous = get(http, sse);
    assertThat(anonymous.statusCode()).isEqualTo(403);
    anonymous.body().close();

    HttpResponse<InputStream> forged = get(http, sse + "&access_token=not.a.token");
    assertThat(forged.statusCode()).as("Spring Security refuses a bad token").isEqualTo(401);
    forged.body().close();

    HttpResponse<InputStream> tess = get(http, sse + "&access_token=" + token("tess"));
    assertThat(tess.statusCode()).isEqualTo(200);
    try (InputStream stream = tess.body()) {
      String start = new String(stream.readNBytes(64), StandardCharsets.UTF_8);
      assertThat(start).contains("ready");
    }
  }

  private static HttpResponse<InputStream> get(HttpClient http, String uri) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(uri)).timeout(WAIT).GET().build(),
        HttpResponse.BodyHandlers.ofInputStream());
  }

  private static String token(String subject) throws Exception {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader(JWSAlgorithm.HS256),
            new JWTClaimsSet.Builder()
                .subject(subject)
                .issueTime(new Date())
                .expirationTime(Date.from(Instant.now().plusSeconds(300)))
                .build());
    jwt.sign(new MACSigner(SECRET));
    return jwt.serialize();
  }

  /** An API that takes signed JWTs: every request may come, a token must be good. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class TokenApp {
    @Bean
    JwtDecoder jwtDecoder() {
      return NimbusJwtDecoder.withSecretKey(new SecretKeySpec(SECRET, "HmacSHA256")).build();
    }

    @Bean
    SecurityFilterChain api(HttpSecurity http) throws Exception {
      DefaultBearerTokenResolver tokens = new DefaultBearerTokenResolver();
      // herald.js puts the token in the query where the browser cannot set a header.
      tokens.setAllowUriQueryParameter(true);
      return http.authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
          .oauth2ResourceServer(
              server -> server.bearerTokenResolver(tokens).jwt(Customizer.withDefaults()))
          .build();
    }

    @Bean
    Authorizer ownChannelOnly() {
      return new Authorizer() {
        @Override
        public boolean canSubscribe(Client client, String channel) {
          return client.isAuthenticated() && channel.equals("user/" + client.user());
        }

        @Override
        public boolean canPublish(Client client, String channel) {
          return false;
        }
      };
    }
  }
}
