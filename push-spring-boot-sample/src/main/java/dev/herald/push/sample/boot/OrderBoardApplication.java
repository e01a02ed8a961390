package dev.herald.push.sample.boot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A live order board on Spring Boot: signed-in users place orders, everyone signed in sees them
 * arrive, admins ship them, and each user hears about their own orders. Herald comes from {@code
 * push-spring-boot-starter} alone: no servlet, listener or endpoint is registered here.
 *
 * <p>{@code java -jar push-spring-boot-sample/target/push-spring-boot-sample.jar}, then open {@code
 * http://localhost:8080/} and sign in as {@code alice}/{@code alice} (or {@code bob}/{@code bob},
 * an admin).
 */
@SpringBootApplication
public class OrderBoardApplication {
  /** Starts the application. */
  public static void main(String[] args) {
    SpringApplication.run(OrderBoardApplication.class, args);
  }
}
