package dev.herald.push.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaModifier;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The public API is deliberate: every type another module can use is listed in {@code
 * public-api.txt}, and lives in a package its module exports. A new public class (say a {@code
 * *Impl} that lost its package-private modifier) fails here, named, until it is made
 * package-private again or added to the list on purpose.
 */
class PublicApiTest {
  private static final String LIST = "public-api.txt";

  @Test
  void publicTypes_areExactlyTheListedApi() throws IOException {
    Map<String, LibraryModule> actual = new TreeMap<>();
    for (LibraryModule module : LibraryModule.values()) {
      for (String type : publicTypes(module)) {
        actual.put(type, module);
      }
    }
    Set<String> listed = listed();

    List<String> unlisted = new ArrayList<>();
    actual.forEach(
        (type, module) -> {
          if (!listed.contains(type)) {
            unlisted.add(type + " (" + module.artifact + ")");
          }
        });
    assertThat(unlisted)
        .as(
            "Public types that are not part of the listed API. Make them package-private, or if"
                + " they are meant as API, add them to push-architecture/src/test/resources/"
                + LIST)
        .isEmpty();

    Set<String> stale = new TreeSet<>(listed);
    stale.removeAll(actual.keySet());
    assertThat(stale)
        .as(
            "Types listed in "
                + LIST
                + " that are no longer public (or no longer exist); remove them from the list")
        .isEmpty();
  }

  @ParameterizedTest
  @EnumSource(value = LibraryModule.class, names = "SPRING_BOOT", mode = EnumSource.Mode.EXCLUDE)
  void publicTypes_liveInPackagesTheModuleExports(LibraryModule module) {
    Optional<ModuleDescriptor> descriptor = module.descriptor();
    Set<String> exported =
        descriptor
            .orElseThrow(() -> new AssertionError(module.artifact + " has no module-info.class"))
            .exports()
            .stream()
            .filter(e -> !e.isQualified())
            .map(ModuleDescriptor.Exports::source)
            .collect(Collectors.toSet());
    List<String> outside =
        publicTypes(module).stream().filter(type -> !exported.contains(packageOf(type))).toList();
    assertThat(outside)
        .as(
            "Public types of %s in packages it does not export %s; make them package-private",
            module.artifact, new TreeSet<>(exported))
        .isEmpty();
  }

  /** Types that code outside their package can name: public, or protected in a public class. */
  static Set<String> publicTypes(LibraryModule module) {
    Set<String> types = new TreeSet<>();
    for (JavaClass c : module.classes()) {
      if (c.getSimpleName().equals("module-info") || c.getName().endsWith(".package-info")) {
        continue;
      }
      if (isVisibleOutsidePackage(c)) {
        types.add(c.getName());
      }
    }
    return types;
  }

  private static boolean isVisibleOutsidePackage(JavaClass c) {
    if (c.isAnonymousClass() || c.isLocalClass()) {
      return false;
    }
    Set<JavaModifier> modifiers = c.getModifiers();
    Optional<JavaClass> enclosing = c.getEnclosingClass();
    if (enclosing.isEmpty()) {
      return modifiers.contains(JavaModifier.PUBLIC);
    }
    return (modifiers.contains(JavaModifier.PUBLIC) || modifiers.contains(JavaModifier.PROTECTED))
        && isVisibleOutsidePackage(enclosing.get());
  }

  private static String packageOf(String type) {
    return type.substring(0, type.lastIndexOf('.'));
  }

  private static Set<String> listed() throws IOException {
    try (InputStream in = PublicApiTest.class.getResourceAsStream("/" + LIST)) {
      assertThat(in).as(LIST + " on the test class path").isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .map(String::strip)
          .filter(line -> !line.isEmpty() && !line.startsWith("#"))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }
}
