package dev.herald.push.sample.boot;

import org.springframework.boot.test.context.SpringBootTest;

/** The order board on embedded Tomcat, Spring Boot's default container. */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = Containers.ONLY_TOMCAT)
class TomcatOrderBoardTest extends OrderBoardContract {
  @Override
  String expectedServer() {
    return Containers.TOMCAT.server;
  }
}
