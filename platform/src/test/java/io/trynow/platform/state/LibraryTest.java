package io.trynow.platform.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Lua sources: one file per function, each with its header, assembled into one library. */
class LibraryTest {

  @Test
  void everyFunctionFileHasItsHeaderAndRegistersItsFunction() throws IOException {
    for (String f : Library.FILES) {
      String src = read(f + ".lua");
      assertThat(src).as(f).startsWith("--[[ " + f);
      for (String part : new String[] {"keys:", "returns:", "errors:"}) {
        assertThat(src).as(f + " header names " + part).contains(part);
      }
      if (!f.equals("reads")) {
        assertThat(src).as(f).contains("args:").contains("fn('" + f + "', " + f + ")");
      }
    }
  }

  @Test
  void theLibraryIsNamedAfterItsSourceSoVersionsNeverReplaceEachOther() {
    Library lib = Library.fromResources();
    assertThat(lib.version()).matches("[0-9a-f]{10}");
    assertThat(lib.source()).startsWith("#!lua name=trynow_" + lib.version() + "\n");
    assertThat(lib.source()).doesNotContain("@VERSION@");
    assertThat(lib.function("acquire")).isEqualTo("trynow_" + lib.version() + "_acquire");
    assertThat(Library.fromResources().version()).isEqualTo(lib.version());
  }

  @Test
  void theReadOnlyFunctionsAreThoseRegisteredNoWrites() {
    Library lib = Library.fromResources();
    assertThat(lib.isReadOnly("get_instance")).isTrue();
    assertThat(lib.isReadOnly("snapshot")).isTrue();
    assertThat(lib.isReadOnly("pool_stats")).isTrue();
    assertThat(lib.isReadOnly("acquire")).isFalse();
    assertThat(lib.isReadOnly("mark_ready")).isFalse();
  }

  @Test
  void functionsNeverReadTheServerClockOrWriteOutsideTheirHashTag() {
    String src = Library.fromResources().source();
    assertThat(src).doesNotContain("'TIME'").doesNotContain("KEYS[2]");
    // every key is built from the base KEYS[1] (b / keys[1]); no literal key names
    Matcher m = Pattern.compile("redis\\.call\\('\\w+', '[^']*'").matcher(src);
    boolean found = m.find();
    assertThat(found).as("a command on a literal key: " + (found ? m.group() : "")).isFalse();
  }

  private static String read(String file) throws IOException {
    try (InputStream in = Library.class.getResourceAsStream(file)) {
      assertThat(in).as(file).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
