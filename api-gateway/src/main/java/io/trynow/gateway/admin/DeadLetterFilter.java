package io.trynow.gateway.admin;

import io.trynow.gateway.outcome.Refusal;
import io.trynow.platform.messaging.DeadLetter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which dead letters an operator means: original subject (exact, a prefix of whole tokens, or a
 * NATS pattern with {@code *} / {@code >}), a piece of the last error (case-insensitive), and a
 * lower bound on when it was dead-lettered ({@code 90s}, {@code 30m}, {@code 1h}, {@code 2d} ago,
 * or an RFC 3339 instant). Each part is optional.
 */
public record DeadLetterFilter(String subject, String error, Instant since) {

  private static final Pattern SUBJECT = Pattern.compile("[A-Za-z0-9_.*>-]{1,200}");
  private static final Pattern AGO = Pattern.compile("(\\d{1,6})([smhd])");

  /** Parses query or body values; bad input is a 400 naming the parameter. */
  public static DeadLetterFilter parse(String subject, String error, String since, Instant now) {
    String s = blankToNull(subject);
    if (s != null && !SUBJECT.matcher(s).matches()) {
      throw Refusal.badRequest("subject must be a subject or a NATS pattern (*, >)");
    }
    String e = blankToNull(error);
    if (e != null && e.length() > 200) {
      throw Refusal.badRequest("error must be at most 200 characters");
    }
    return new DeadLetterFilter(s, e, since(blankToNull(since), now));
  }

  /** True when no part is set (it matches every dead letter). */
  public boolean isEmpty() {
    return subject == null && error == null && since == null;
  }

  public boolean matches(DeadLetter d) {
    if (subject != null && !subjectMatches(subject, d.originalSubject())) {
      return false;
    }
    if (error != null
        && (d.lastError() == null
            || !d.lastError().toLowerCase(Locale.ROOT).contains(error.toLowerCase(Locale.ROOT)))) {
      return false;
    }
    return since == null || (d.deadLetteredAt() != null && !d.deadLetteredAt().isBefore(since));
  }

  static boolean subjectMatches(String pattern, String subject) {
    if (subject == null) {
      return false;
    }
    if (!pattern.contains("*") && !pattern.contains(">")) {
      return subject.equals(pattern) || subject.startsWith(pattern + ".");
    }
    String[] p = pattern.split("\\.");
    String[] s = subject.split("\\.");
    for (int i = 0; i < p.length; i++) {
      if (p[i].equals(">")) {
        return s.length > i;
      }
      if (i >= s.length || (!p[i].equals("*") && !p[i].equals(s[i]))) {
        return false;
      }
    }
    return p.length == s.length;
  }

  private static Instant since(String value, Instant now) {
    if (value == null) {
      return null;
    }
    Matcher m = AGO.matcher(value);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      Duration d =
          switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
          };
      return now.minus(d);
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw Refusal.badRequest("since must be a duration ago (90s, 30m, 1h, 2d) or RFC 3339");
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
