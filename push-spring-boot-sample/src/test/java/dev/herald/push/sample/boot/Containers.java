package dev.herald.push.sample.boot;

/**
 * The two embedded containers the sample is tested on. Both are on the test class path, so each
 * test turns the other one's auto-configuration off, as an application has only one.
 */
enum Containers {
  TOMCAT("Tomcat", Containers.ONLY_TOMCAT),
  JETTY("Jetty", Containers.ONLY_JETTY);

  /** Leaves Tomcat: Jetty's auto-configuration is off. */
  static final String ONLY_TOMCAT =
      "spring.autoconfigure.exclude="
          + "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration";

  /** Leaves Jetty: Tomcat's auto-configuration is off. */
  static final String ONLY_JETTY =
      "spring.autoconfigure.exclude="
          + "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration";

  /** What the web server's class name starts with. */
  final String server;

  /** The property that leaves this container alone. */
  final String exclusion;

  Containers(String server, String exclusion) {
    this.server = server;
    this.exclusion = exclusion;
  }
}
