package dev.herald.push.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ResolvedModule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each library jar is a named JPMS module that exports its API and SPI packages and nothing else,
 * requires no Herald module above it, and resolves on a module path with its real dependencies.
 */
class ModuleDescriptorTest {

  @ParameterizedTest
  @EnumSource(value = LibraryModule.class, names = "SPRING_BOOT", mode = EnumSource.Mode.EXCLUDE)
  void descriptor_namesTheModuleAndExportsOnlyItsApi(LibraryModule module) {
    ModuleDescriptor descriptor = descriptorOf(module);

    assertThat(descriptor.name())
        .as("module name of %s", module.artifact)
        .isEqualTo(module.moduleName);
    assertThat(descriptor.isAutomatic() || descriptor.isOpen())
        .as("%s is an explicit, non-open module", module.artifact)
        .isFalse();
    assertThat(descriptor.exports())
        .as("%s exports only unqualified API packages", module.artifact)
        .allSatisfy(e -> assertThat(e.isQualified()).as("qualified export %s", e).isFalse());
    assertThat(descriptor.exports().stream().map(ModuleDescriptor.Exports::source))
        .as("packages %s exports", module.artifact)
        .containsExactlyInAnyOrderElementsOf(module.apiPackages);
    assertThat(descriptor.opens()).as("packages %s opens", module.artifact).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(value = LibraryModule.class, names = "SPRING_BOOT", mode = EnumSource.Mode.EXCLUDE)
  void descriptor_requiresNoHeraldModuleButCore(LibraryModule module) {
    ModuleDescriptor descriptor = descriptorOf(module);
    Set<String> herald =
        descriptor.requires().stream()
            .map(ModuleDescriptor.Requires::name)
            .filter(name -> name.startsWith("dev.herald."))
            .collect(Collectors.toSet());

    Set<String> allowed =
        module == LibraryModule.CORE ? Set.of() : Set.of(LibraryModule.CORE.moduleName);
    assertThat(herald)
        .as("Herald modules that %s requires (allowed: %s)", module.artifact, allowed)
        .isSubsetOf(allowed);
  }

  @Test
  void libraryModules_resolveOnAModulePath() {
    List<LibraryModule> named =
        Arrays.stream(LibraryModule.values()).filter(m -> m.descriptor().isPresent()).toList();
    Path[] path =
        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .map(Path::of)
            .filter(p -> Files.isRegularFile(p) || Files.exists(p.resolve("module-info.class")))
            .toArray(Path[]::new);
    Set<String> roots = named.stream().map(m -> m.moduleName).collect(Collectors.toSet());

    Configuration resolved =
        ModuleLayer.boot().configuration().resolve(ModuleFinder.of(path), ModuleFinder.of(), roots);

    for (LibraryModule module : named) {
      Optional<ResolvedModule> found = resolved.findModule(module.moduleName);
      assertThat(found).as("%s resolved", module.moduleName).isPresent();
      assertThat(found.get().reference().location())
          .as("%s resolved from its own jar", module.moduleName)
          .contains(module.location().toUri());
    }
  }

  private static ModuleDescriptor descriptorOf(LibraryModule module) {
    Optional<ModuleDescriptor> descriptor = module.descriptor();
    return descriptor.orElseThrow(
        () -> new AssertionError(module.artifact + " has no module-info.class"));
  }
}
