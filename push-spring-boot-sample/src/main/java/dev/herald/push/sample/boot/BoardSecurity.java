package dev.herald.push.sample.boot;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Form login for the board. The push endpoints are open to every request: Herald's {@link
 * BoardAuthorizer} decides per channel, from the user Spring Security signed in. The starter
 * exempts {@code /push/**} from CSRF checks; the board's own {@code POST /orders} carries the token
 * (Spring Security's single-page-application setup: an {@code XSRF-TOKEN} cookie the page echoes in
 * a header).
 */
@Configuration(proxyBeanMethods = false)
@EnableMethodSecurity
class BoardSecurity {
  @Bean
  SecurityFilterChain board(HttpSecurity http) throws Exception {
    return http.authorizeHttpRequests(
            requests ->
                requests
                    .requestMatchers("/push/**", "/actuator/health/**", "/login")
                    .permitAll()
                    .anyRequest()
                    .authenticated())
        .formLogin(Customizer.withDefaults())
        .csrf(csrf -> csrf.spa())
        .build();
  }

  /** Two demo users with their passwords in clear: never do this outside a sample. */
  @Bean
  UserDetailsService users() {
    return new InMemoryUserDetailsManager(
        User.withUsername("alice").password("{noop}alice").roles("USER").build(),
        User.withUsername("bob").password("{noop}bob").roles("USER", "ADMIN").build());
  }
}
