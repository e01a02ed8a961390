package dev.herald.push.sample.boot3;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.catalina.util.ServerInfo;
import org.springframework.boot.test.context.SpringBootTest;

/** Spring Boot 3.5 on its default container, Tomcat 10.1. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class Boot3TomcatTest extends Boot3StarterContract {
  @Override
  void checkContainer(String webServerClass) {
    assertThat(webServerClass).startsWith("Tomcat");
    assertThat(ServerInfo.getServerNumber()).startsWith("10.1.");
  }
}
