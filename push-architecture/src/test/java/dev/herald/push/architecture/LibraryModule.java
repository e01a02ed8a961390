package dev.herald.push.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import dev.herald.push.PushHub;
import dev.herald.push.client.HeraldClient;
import dev.herald.push.micrometer.HeraldMeterBinder;
import dev.herald.push.redis.RedisBroker;
import dev.herald.push.servlet.PushServlet;
import dev.herald.push.spring.boot.HeraldAutoConfiguration;
import dev.herald.push.websocket.PushWebSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.ZipFile;

/**
 * Herald's library modules as this test sees them: where each one's classes are, which module name
 * and packages it promises, and which other Herald modules it may use. Immutable.
 */
enum LibraryModule {
  CORE(
      "push-core",
      "dev.herald.push",
      PushHub.class,
      Set.of("dev.herald.push", "dev.herald.push.spi")),
  SERVLET(
      "push-servlet",
      "dev.herald.push.servlet",
      PushServlet.class,
      Set.of("dev.herald.push.servlet")),
  WEBSOCKET(
      "push-websocket",
      "dev.herald.push.websocket",
      PushWebSocket.class,
      Set.of("dev.herald.push.websocket")),
  REDIS("push-redis", "dev.herald.push.redis", RedisBroker.class, Set.of("dev.herald.push.redis")),
  CLIENT(
      "push-client",
      "dev.herald.push.client",
      HeraldClient.class,
      Set.of("dev.herald.push.client")),
  MICROMETER(
      "push-micrometer",
      "dev.herald.push.micrometer",
      HeraldMeterBinder.class,
      Set.of("dev.herald.push.micrometer")),
  /**
   * The Spring Boot starter: not a JPMS module (Spring Boot applications run on the class path; its
   * jar has an {@code Automatic-Module-Name}), and the one library that builds on the others.
   */
  SPRING_BOOT(
      "push-spring-boot-starter",
      "dev.herald.push.spring.boot",
      HeraldAutoConfiguration.class,
      Set.of("dev.herald.push.spring.boot"));

  /** The library that may use every other one but the client: it assembles them. */
  static final LibraryModule ASSEMBLY = SPRING_BOOT;

  /** Packages of the modules that are not libraries: no library may depend on them. */
  static final Set<String> NOT_LIBRARIES =
      Set.of("dev.herald.push.examples..", "dev.herald.push.bench..", "dev.herald.push.sample..");

  final String artifact;
  final String moduleName;
  final Set<String> apiPackages;
  private final Class<?> marker;

  LibraryModule(String artifact, String moduleName, Class<?> marker, Set<String> apiPackages) {
    this.artifact = artifact;
    this.moduleName = moduleName;
    this.marker = marker;
    this.apiPackages = apiPackages;
  }

  /** The module's jar, or its classes directory inside a reactor build. */
  Path location() {
    try {
      return Path.of(marker.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot locate " + artifact, e);
    }
  }

  /** The module's classes, without anything else on the class path. */
  JavaClasses classes() {
    JavaClasses classes = new ClassFileImporter().importLocations(List.of(archLocation()));
    if (!classes.contain(marker)) {
      throw new IllegalStateException("found no classes of " + artifact + " in " + location());
    }
    return classes;
  }

  /** Where ArchUnit finds the module's classes: its classes directory or the inside of its jar. */
  Location archLocation() {
    Path location = location();
    return Files.isDirectory(location)
        ? Location.of(location)
        : Location.of(URI.create("jar:" + location.toUri() + "!/"));
  }

  /** Its {@code module-info.class}, if it has one. */
  Optional<ModuleDescriptor> descriptor() {
    Path location = location();
    try {
      if (Files.isDirectory(location)) {
        Path file = location.resolve("module-info.class");
        if (!Files.exists(file)) {
          return Optional.empty();
        }
        try (InputStream in = Files.newInputStream(file)) {
          return Optional.of(ModuleDescriptor.read(in));
        }
      }
      try (ZipFile jar = new ZipFile(location.toFile())) {
        var entry = jar.getEntry("module-info.class");
        if (entry == null) {
          return Optional.empty();
        }
        try (InputStream in = jar.getInputStream(entry)) {
          return Optional.of(ModuleDescriptor.read(in));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the module descriptor of " + artifact, e);
    }
  }

  /** The packages of this module in ArchUnit's syntax, sub-packages included except for core. */
  String[] packagePatterns() {
    return this == CORE
        ? apiPackages.toArray(String[]::new)
        : apiPackages.stream().map(p -> p + "..").toArray(String[]::new);
  }
}
