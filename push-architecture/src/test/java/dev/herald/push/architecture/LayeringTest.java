package dev.herald.push.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The folder layout is the architecture: core at the bottom, then the transports, the broker, the
 * client and the metrics binding, each on core alone; the Spring Boot starter assembling them;
 * demos and benchmarks on top, with nothing in the libraries depending on them.
 */
class LayeringTest {
  private static JavaClasses libraries;

  @BeforeAll
  static void importLibraries() {
    List<Location> locations =
        Arrays.stream(LibraryModule.values()).map(LibraryModule::archLocation).toList();
    libraries = new ClassFileImporter().importLocations(locations);
  }

  @ParameterizedTest
  @EnumSource(value = LibraryModule.class, names = "SPRING_BOOT", mode = EnumSource.Mode.EXCLUDE)
  void module_dependsOnNoHeraldModuleButCore(LibraryModule module) {
    String[] forbidden =
        Stream.concat(
                Arrays.stream(LibraryModule.values())
                    .filter(other -> other != module && other != LibraryModule.CORE)
                    .flatMap(other -> Arrays.stream(other.packagePatterns())),
                LibraryModule.NOT_LIBRARIES.stream())
            .toArray(String[]::new);

    noClasses()
        .that()
        .resideInAnyPackage(module.packagePatterns())
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(forbidden)
        .as(
            module.artifact
                + " depends on no other Herald module"
                + (module == LibraryModule.CORE ? "" : " but push-core")
                + ", and on no demo, sample or benchmark")
        .check(libraries);
  }

  @Test
  void springBootStarter_assemblesTheLibrariesButNotTheClient() {
    LibraryModule starter = LibraryModule.ASSEMBLY;
    String[] forbidden =
        Stream.concat(
                Arrays.stream(LibraryModule.CLIENT.packagePatterns()),
                LibraryModule.NOT_LIBRARIES.stream())
            .toArray(String[]::new);
    noClasses()
        .that()
        .resideInAnyPackage(starter.packagePatterns())
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(forbidden)
        .as(starter.artifact + " depends on no client, demo, sample or benchmark")
        .check(libraries);
  }
}
