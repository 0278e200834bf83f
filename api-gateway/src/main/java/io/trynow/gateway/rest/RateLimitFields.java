package io.trynow.gateway.rest;

import io.trynow.gateway.outcome.RateLimits;
import java.util.function.BiConsumer;
import java.util.function.ToLongFunction;

/**
 * The acquire rate limit as the IETF draft's fields (draft-ietf-httpapi-ratelimit-headers-10/11),
 * one item per window: {@code RateLimit-Policy: "hour";q=10;w=3600, "day";q=1000;w=86400} (the
 * quota and window of each policy) and {@code RateLimit: "hour";r=7;t=1200, "day";r=997;t=50000}
 * (what is left of each and the seconds until its window resets).
 */
public final class RateLimitFields {

  public static final String POLICY = "RateLimit-Policy";
  public static final String STATUS = "RateLimit";

  private RateLimitFields() {}

  /**
   * Adds both fields when {@code limits} is known (a repeat answered from the store has none), to a
   * JAX-RS response ({@code builder::header}) or a Vert.x one ({@code headers::set}).
   */
  public static void add(BiConsumer<String, String> header, RateLimits limits) {
    if (limits == null || limits.windows().isEmpty()) {
      return;
    }
    header.accept(POLICY, policy(limits));
    header.accept(STATUS, status(limits));
  }

  static String policy(RateLimits limits) {
    return items(limits, 'q', RateLimits.Window::quota, 'w', RateLimits.Window::windowSeconds);
  }

  static String status(RateLimits limits) {
    return items(limits, 'r', RateLimits.Window::remaining, 't', RateLimits.Window::resetSeconds);
  }

  /**
   * One {@code "name";a=…;b=…} item per window, comma-separated. A loop, not a stream: both fields
   * are built on every acquire.
   */
  private static String items(
      RateLimits limits,
      char a,
      ToLongFunction<RateLimits.Window> first,
      char b,
      ToLongFunction<RateLimits.Window> second) {
    StringBuilder sb = new StringBuilder(64);
    for (RateLimits.Window w : limits.windows()) {
      if (!sb.isEmpty()) {
        sb.append(", ");
      }
      sb.append('"')
          .append(w.name())
          .append("\";")
          .append(a)
          .append('=')
          .append(first.applyAsLong(w));
      sb.append(';').append(b).append('=').append(second.applyAsLong(w));
    }
    return sb.toString();
  }
}
