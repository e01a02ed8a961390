package dev.herald.push.sample.boot3;

import static org.assertj.core.api.Assertions.assertThat;

import org.eclipse.jetty.util.Jetty;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * Spring Boot 3.5 on Jetty 12.0, the Jetty it manages, as with {@code spring-boot-starter-jetty} in
 * place of Tomcat: this module's "jetty" test run leaves Tomcat off the class path.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class Boot3JettyTest extends Boot3StarterContract {
  @Override
  void checkContainer(String webServerClass) {
    assertThat(webServerClass).startsWith("Jetty");
    assertThat(Jetty.VERSION).startsWith("12.0.");
  }
}
