package io.trynow.gateway.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pages' templates ({@code web/*.html} on the classpath) with {@code {{name}}} slots. Every
 * value is HTML-escaped unless it is {@link Raw} (markup this code built from escaped parts).
 */
final class Html {

  private static final Pattern SLOT = Pattern.compile("\\{\\{([a-z-]+)}}");

  /** Markup inserted as is. */
  record Raw(String html) {}

  private Html() {}

  static byte[] resource(String path) {
    try (InputStream in =
        Thread.currentThread().getContextClassLoader().getResourceAsStream("web/" + path)) {
      if (in == null) {
        throw new IllegalStateException("missing resource web/" + path);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String template(String name) {
    return new String(resource(name), StandardCharsets.UTF_8);
  }

  /**
   * Fills the slots of {@code template}.
   *
   * @throws IllegalArgumentException when a slot has no value (a bug in the caller)
   */
  static String render(String template, Map<String, ?> values) {
    Matcher m = SLOT.matcher(template);
    StringBuilder out = new StringBuilder(template.length() + 256);
    while (m.find()) {
      Object v = values.get(m.group(1));
      if (v == null) {
        throw new IllegalArgumentException("no value for {{" + m.group(1) + "}}");
      }
      String s = v instanceof Raw r ? r.html() : escape(String.valueOf(v));
      m.appendReplacement(out, Matcher.quoteReplacement(s));
    }
    m.appendTail(out);
    return out.toString();
  }

  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
