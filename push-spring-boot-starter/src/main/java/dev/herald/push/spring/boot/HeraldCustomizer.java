package dev.herald.push.spring.boot;

import dev.herald.push.PushHub;

/**
 * Configures what {@code herald.*} properties cannot express on the hub the starter builds, such as
 * a client-message pattern with its own handler. Declare one or more as beans; they run in {@link
 * org.springframework.core.Ordered} order, after the properties and the {@code Authorizer}, {@code
 * Authenticator}, presence listener and observer beans are applied, so a customizer has the last
 * word.
 *
 * <pre>{@code
 * @Bean
 * HeraldCustomizer chatMessages(ChatFilter filter) {
 *   return hub -> hub.acceptClientMessages("chat/*", filter::clean);
 * }
 * }</pre>
 *
 * <p>Not used when the application defines its own {@link PushHub} bean.
 */
@FunctionalInterface
public interface HeraldCustomizer {
  /** Changes the builder; called once, on the thread that creates the hub bean. */
  void customize(PushHub.Builder builder);
}
