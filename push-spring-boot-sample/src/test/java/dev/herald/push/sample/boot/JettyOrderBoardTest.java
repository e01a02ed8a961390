package dev.herald.push.sample.boot;

import org.springframework.boot.test.context.SpringBootTest;

/** The order board on embedded Jetty, as with {@code spring-boot-starter-jetty} in its pom. */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = Containers.ONLY_JETTY)
class JettyOrderBoardTest extends OrderBoardContract {
  @Override
  String expectedServer() {
    return Containers.JETTY.server;
  }
}
