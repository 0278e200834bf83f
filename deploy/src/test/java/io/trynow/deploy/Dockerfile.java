package io.trynow.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Dockerfile as a list of instructions: comments dropped, continuation lines joined. */
record Dockerfile(List<Instruction> instructions) {

  /** One instruction: upper-case keyword and its arguments as written. */
  record Instruction(String keyword, String args) {}

  static Dockerfile parse(Path file) throws IOException {
    List<Instruction> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : Files.readAllLines(file)) {
      String trimmed = line.strip();
      if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) {
        continue;
      }
      if (trimmed.endsWith("\\")) {
        current.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      current.append(trimmed);
      String text = current.toString().strip();
      current.setLength(0);
      if (text.isEmpty()) {
        continue;
      }
      int space = text.indexOf(' ');
      out.add(
          new Instruction(
              text.substring(0, space).toUpperCase(), text.substring(space + 1).strip()));
    }
    return new Dockerfile(out);
  }

  List<Instruction> all(String keyword) {
    return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
  }

  Optional<Instruction> last(String keyword) {
    List<Instruction> found = all(keyword);
    return found.isEmpty() ? Optional.empty() : Optional.of(found.get(found.size() - 1));
  }

  /**
   * Every {@code ENV key=value} (quoted values unquoted), in order, with {@code ${ARG}} references
   * expanded to the ARG's default (empty without one), as {@code docker build} without build
   * arguments does: the image's environment, not the Dockerfile's text.
   */
  Map<String, String> env() {
    return env(Map.of());
  }

  /**
   * The image's environment built with {@code buildArgs} ({@code docker build --build-arg}): an ARG
   * given there is expanded to its value, any other to its default.
   */
  Map<String, String> env(Map<String, String> buildArgs) {
    Map<String, String> out = new LinkedHashMap<>();
    Pattern pair = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"([^\"]*)\"|\\S+)");
    Pattern ref = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    for (Instruction i : all("ENV")) {
      Matcher m = pair.matcher(i.args());
      while (m.find()) {
        String value = m.group(3) != null ? m.group(3) : m.group(2);
        out.put(
            m.group(1),
            ref.matcher(value)
                .replaceAll(r ->
                    Matcher.quoteReplacement(
                        buildArgs.getOrDefault(r.group(1), argDefault(r.group(1)).orElse("")))));
      }
    }
    return out;
  }

  /** The default of an ARG, or empty when it has none. */
  Optional<String> argDefault(String name) {
    return all("ARG").stream()
        .map(Instruction::args)
        .filter(a -> a.startsWith(name + "="))
        .map(a -> a.substring(name.length() + 1))
        .findFirst();
  }
}
