package io.trynow.model;

import java.util.Locale;

/** Enums on the wire: each constant by its lower-case name. */
final class WireNames {

  private WireNames() {}

  static String of(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT);
  }

  /**
   * The constant of {@code type} whose wire name is {@code wire}; {@code unknown} when none is
   * ({@code unknown} itself never matches: it is a read-side stand-in, not a wire name).
   */
  static <E extends Enum<E>> E parse(Class<E> type, String wire, E unknown) {
    for (E constant : type.getEnumConstants()) {
      if (constant != unknown && of(constant).equals(wire)) {
        return constant;
      }
    }
    return unknown;
  }
}
