package dev.herald.push.sample.boot3;

import dev.herald.push.Authorizer;
import dev.herald.push.Client;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * A Spring Boot 3.5 application with Spring Security's form login and Actuator, and Herald from
 * {@code push-spring-boot-starter} alone, as a Spring Boot 3.5 team would add it.
 */
@SpringBootApplication
public class Boot3Application {
  /** The push endpoints are open; the {@link #channels() authorizer} decides per channel. */
  @Bean
  SecurityFilterChain security(HttpSecurity http) throws Exception {
    return http.authorizeHttpRequests(
            requests ->
                requests
                    .requestMatchers("/push/**", "/login")
                    .permitAll()
                    .anyRequest()
                    .authenticated())
        .formLogin(Customizer.withDefaults())
        .build();
  }

  /** Two users with their passwords in clear: never outside a test. */
  @Bean
  UserDetailsService users() {
    return new InMemoryUserDetailsManager(
        User.withUsername("alice").password("{noop}alice").roles("USER").build(),
        User.withUsername("bob").password("{noop}bob").roles("USER").build());
  }

  /**
   * {@code user/<name>} is that user's alone; {@code notes} is open to every signed-in user, who
   * may publish to it ({@code herald.client-publish=notes}).
   */
  @Bean
  Authorizer channels() {
    return new Authorizer() {
      @Override
      public boolean canSubscribe(Client client, String channel) {
        return client.isAuthenticated()
            && (channel.equals("notes") || channel.equals("user/" + client.user()));
      }

      @Override
      public boolean canPublish(Client client, String channel) {
        return client.isAuthenticated() && channel.equals("notes");
      }
    };
  }
}
