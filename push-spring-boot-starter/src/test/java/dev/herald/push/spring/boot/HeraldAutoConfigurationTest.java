package dev.herald.push.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.herald.push.Authenticator;
import dev.herald.push.Authorizer;
import dev.herald.push.Client;
import dev.herald.push.ErrorCode;
import dev.herald.push.InMemoryBroker;
import dev.herald.push.Message;
import dev.herald.push.PresenceListener;
import dev.herald.push.PushException;
import dev.herald.push.PushHub;
import dev.herald.push.micrometer.HeraldMeterBinder;
import dev.herald.push.spi.Broker;
import dev.herald.push.spi.HubObserver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

/**
 * The auto-configuration on its own, without a server: which beans it makes from which properties
 * and beans, and when it stands back.
 */
class HeraldAutoConfigurationTest {
  private final WebApplicationContextRunner web =
      new WebApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(HeraldAutoConfiguration.class));

  @Test
  void servletApplication_getsTheHubAndEverythingAroundIt() {
    web.run(
        context -> {
          assertThat(context).hasNotFailed();
          assertThat(context).hasSingleBean(PushHub.class);
          assertThat(context).getBean(Broker.class).isInstanceOf(InMemoryBroker.class);
          assertThat(context).hasSingleBean(HeraldEndpoints.class);
          assertThat(context).hasSingleBean(HeraldShutdown.class);
          assertThat(context).hasSingleBean(HeraldHealthIndicator.class);
          assertThat(context).hasSingleBean(HeraldMeterBinder.class);
          assertThat(context).hasBean("heraldCsrfExemption");
          PushHub hub = context.getBean(PushHub.class);
          assertThat(hub.transportContext().heartbeatInterval()).isEqualTo(Duration.ofSeconds(15));
          assertThat(context.getBean(HeraldEndpoints.class).base()).isEqualTo("/push");
        });
  }

  @Test
  void notAServletApplication_getsNothing() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(HeraldAutoConfiguration.class))
        .run(context -> assertThat(context).doesNotHaveBean(PushHub.class));
  }

  @Test
  void heraldEnabledFalse_getsNothing() {
    web.withPropertyValues("herald.enabled=false")
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(PushHub.class);
              assertThat(context).doesNotHaveBean(HeraldEndpoints.class);
            });
  }

  @Test
  void properties_reachTheHubAndTheTransports() {
    web.withPropertyValues(
            "herald.path=/live",
            "herald.heartbeat-interval=7s",
            "herald.close-timeout=2s",
            "herald.max-channels-per-connection=3",
            "herald.max-message-size=1KB",
            "herald.allowed-origins=https://app.example.com",
            "herald.trusted-proxies=10.0.0.0/8",
            "herald.client-publish=chat/*",
            "herald.ephemeral-channels=chat/live",
            "herald.max-member-data-size=16B",
            "herald.websocket.max-frame-size=2KB")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              PushHub built = context.getBean(PushHub.class);
              var tc = built.transportContext();
              var client = tc.newClient(null, "127.0.0.1");
              assertThat(
                      tc.publishAs(client, "chat/live", "e", "1", null)
                          .toCompletableFuture()
                          .join())
                  .isInstanceOf(dev.herald.push.EphemeralMessage.class);
              assertThat(
                      tc.publishAs(client, "chat/room", "e", "1", null)
                          .toCompletableFuture()
                          .join())
                  .isInstanceOf(dev.herald.push.Message.class);
              org.assertj.core.api.Assertions.assertThatThrownBy(
                      () ->
                          tc.connect(
                              client,
                              dev.herald.push.spi.WireFormat.NDJSON,
                              new dev.herald.push.spi.FrameSink() {
                                @Override
                                public void write(
                                    java.util.List<dev.herald.push.spi.Frame> batch,
                                    WriteCallback callback) {
                                  callback.succeeded();
                                }

                                @Override
                                public void close(dev.herald.push.spi.CloseReason reason) {}
                              },
                              java.util.List.of("chat/room"),
                              null,
                              "{\"name\":\"seventeen bytes\"}",
                              java.util.List.of()))
                  .hasMessageContaining("member data may be at most 16 bytes");
              HeraldProperties properties = context.getBean(HeraldProperties.class);
              assertThat(properties.getWebsocket().getMaxFrameSize().toBytes()).isEqualTo(2048);
              PushHub hub = context.getBean(PushHub.class);
              var transport = hub.transportContext();
              assertThat(transport.heartbeatInterval()).isEqualTo(Duration.ofSeconds(7));
              assertThat(transport.closeTimeout()).isEqualTo(Duration.ofSeconds(2));
              assertThat(transport.maxChannelsPerConnection()).isEqualTo(3);
              assertThat(transport.accessPolicy().toString())
                  .contains("https://app.example.com")
                  .contains("10.0.0.0/8");
              assertThat(context.getBean(HeraldEndpoints.class).base()).isEqualTo("/live");
              @SuppressWarnings("unchecked")
              FilterRegistrationBean<?> csrf =
                  context.getBean("heraldCsrfExemption", FilterRegistrationBean.class);
              assertThat(csrf.getUrlPatterns()).containsExactly("/live/*");

              // 1 KB: a payload over it is refused at once.
              assertThatThrownBy(
                      () -> hub.channel("news").publish("big", Map.of("text", "x".repeat(2000))))
                  .isInstanceOf(PushException.class)
                  .satisfies(
                      e -> assertThat(((PushException) e).code()).isEqualTo(ErrorCode.TOO_LARGE));

              // chat/* takes client messages (allow-all authorizer); other channels do not.
              Client alice = transport.newClient("alice", "127.0.0.1");
              Message stored =
                  transport
                      .publishAs(alice, "chat/lobby", "say", "{\"text\":\"hi\"}")
                      .toCompletableFuture()
                      .get(5, TimeUnit.SECONDS);
              assertThat(stored.offset()).isEqualTo(1);
              assertThat(
                      refusal(
                          () ->
                              transport
                                  .publishAs(alice, "news", "say", "{}")
                                  .toCompletableFuture()
                                  .join()))
                  .isNotNull();
            });
  }

  @Test
  void badProperties_failTheStartNamingTheSetting() {
    web.withPropertyValues("herald.path=push")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("herald.path")
                    .hasMessageContaining("\"push\""));
    web.withPropertyValues("herald.http.poll-timeout=1500ms")
        .run(
            context ->
                assertThat(context).getFailure().rootCause().hasMessageContaining("pollTimeout"));
    web.withPropertyValues("herald.limits.max-connections=0")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("maxConnections"));
    web.withPropertyValues("herald.redis=redis://127.0.0.1:6379")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("set herald.redis.url"));
    web.withPropertyValues("herald.max-batch-delay=2s")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("maxBatchDelay must be between 0 and PT1S, was PT2S"));
    web.withPropertyValues("herald.overflow-policy=drop")
        .run(context -> assertThat(context).hasFailed());
  }

  @Test
  void applicationBeans_areHandedToTheHub() {
    web.withUserConfiguration(ApplicationBeans.class)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              PushHub hub = context.getBean(PushHub.class);
              var transport = hub.transportContext();
              assertThat(transport.authenticator()).isSameAs(ApplicationBeans.AUTHENTICATOR);
              // The authorizer refuses every client publish, the customizer opened "notes".
              Client bob = transport.newClient("bob", "127.0.0.1");
              assertThat(
                      refusal(
                              () ->
                                  transport
                                      .publishAs(bob, "notes", "say", "{}")
                                      .toCompletableFuture()
                                      .join())
                          .code())
                  .isEqualTo(ErrorCode.FORBIDDEN);
              // The application's Jackson 2 mapper writes the payloads (a copy of it).
              Message message =
                  hub.channel("news")
                      .publish(
                          "dated", Map.of("when", java.util.Date.from(java.time.Instant.EPOCH)))
                      .toCompletableFuture()
                      .get(5, TimeUnit.SECONDS);
              assertThat(message.data()).isEqualTo("{\"when\":\"1970-01-01T00:00:00.000+00:00\"}");
              // The application's observer hears about it.
              assertThat(ApplicationBeans.PUBLISHED).contains("news");
            });
  }

  @Test
  void twoAuthorizers_failTheStartInsteadOfAllowingAll() {
    web.withUserConfiguration(TwoAuthorizers.class)
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining(Authorizer.class.getName()));
  }

  @Test
  void applicationsOwnHub_makesEveryHubAndBrokerBeanStandBack() {
    web.withUserConfiguration(OwnHub.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(PushHub.class);
              assertThat(context.getBean(PushHub.class)).isSameAs(context.getBean("myHub"));
              assertThat(context).doesNotHaveBean(Broker.class);
              // The transports are still mounted, on the application's hub.
              assertThat(context).hasSingleBean(HeraldEndpoints.class);
            });
  }

  @Test
  void applicationsOwnBroker_isTheHubsBroker() {
    web.withUserConfiguration(OwnBroker.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(Broker.class);
              PushHub hub = context.getBean(PushHub.class);
              InMemoryBroker broker = (InMemoryBroker) context.getBean(Broker.class);
              assertThat(broker.channelCount()).isZero();
              hub.channel("a").publish("e", 1).toCompletableFuture().get(5, TimeUnit.SECONDS);
              assertThat(broker.channelCount())
                  .as("the hub stored in the application's broker")
                  .isEqualTo(1);
            });
  }

  @Test
  void withoutSpringSecurity_noCsrfExemption() {
    web.withClassLoader(new FilteredClassLoader("org.springframework.security"))
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).doesNotHaveBean("heraldCsrfExemption");
            });
    web.withPropertyValues("herald.security.csrf-exempt=false")
        .run(context -> assertThat(context).doesNotHaveBean("heraldCsrfExemption"));
  }

  @Test
  void withoutActuator_noHealthIndicatorOrMeters() {
    web.withClassLoader(
            new FilteredClassLoader("org.springframework.boot.health", "io.micrometer.core"))
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).hasSingleBean(PushHub.class);
              assertThat(context).doesNotHaveBean("heraldHealthIndicator");
              assertThat(context).doesNotHaveBean("heraldMeterBinder");
            });
  }

  @Test
  void healthIndicator_followsTheHub() {
    web.run(
        context -> {
          HeraldHealthIndicator indicator = context.getBean(HeraldHealthIndicator.class);
          var up = indicator.health();
          assertThat(up.getStatus()).isEqualTo(Status.UP);
          assertThat(up.getDetails())
              .containsEntry("connections", 0)
              .containsEntry("draining", false)
              .containsEntry("broker", "UP");
          context.getBean(PushHub.class).drain(Duration.ZERO);
          var draining = indicator.health();
          assertThat(draining.getStatus()).isEqualTo(Status.DOWN);
          assertThat(draining.getDetails()).containsEntry("draining", true);
        });
  }

  @Test
  void redisUrlWithoutPushRedis_failsSayingWhatToAdd() {
    web.withClassLoader(new FilteredClassLoader("dev.herald.push.redis"))
        .withPropertyValues("herald.redis.url=redis://127.0.0.1:1")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("dev.herald:push-redis"));
  }

  /** The {@code PushException} a call fails with, at once or through its stage. */
  private static PushException refusal(Runnable call) {
    try {
      call.run();
    } catch (PushException e) {
      return e;
    } catch (CompletionException e) {
      if (e.getCause() instanceof PushException cause) {
        return cause;
      }
      throw e;
    }
    throw new AssertionError("the call was not refused");
  }

  @Configuration(proxyBeanMethods = false)
  static class ApplicationBeans {
    static final Authenticator AUTHENTICATOR = token -> "token".equals(token) ? "tess" : null;
    static final List<String> PUBLISHED = new CopyOnWriteArrayList<>();
    static final HubObserver OBSERVER =
        new HubObserver() {
          @Override
          public void published(String channel, boolean stored, long nanos) {
            PUBLISHED.add(channel);
          }
        };

    @Bean
    Authorizer authorizer() {
      return new Authorizer() {
        @Override
        public boolean canSubscribe(Client client, String channel) {
          return true;
        }

        @Override
        public boolean canPublish(Client client, String channel) {
          return false;
        }
      };
    }

    @Bean
    Authenticator authenticator() {
      return AUTHENTICATOR;
    }

    @Bean
    HubObserver observer() {
      return OBSERVER;
    }

    @Bean
    PresenceListener presence() {
      return event -> {};
    }

    @Bean
    ObjectMapper jackson2() {
      return new ObjectMapper().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }

    @Bean
    @Order(1)
    HeraldCustomizer notes() {
      return hub -> hub.acceptClientMessages("notes", message -> message);
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class TwoAuthorizers {
    @Bean
    Authorizer one() {
      return Authorizer.ALLOW_ALL;
    }

    @Bean
    Authorizer two() {
      return Authorizer.ALLOW_ALL;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnHub {
    @Bean(destroyMethod = "close")
    PushHub myHub() {
      return PushHub.builder().noConnectionLimits().build();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnBroker {
    @Bean
    Broker myBroker() {
      return InMemoryBroker.builder().historySize(1).build();
    }
  }
}
