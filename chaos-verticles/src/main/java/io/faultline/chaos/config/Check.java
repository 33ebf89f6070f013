package io.faultline.chaos.config;

import java.util.List;

/** Validation helpers for config records: each failure names the field and the rejected value. */
final class Check {

  private Check() {
  }

  static boolean flag(Boolean value, boolean dflt) {
    return value == null ? dflt : value;
  }

  /**
   * A path glob ({@code path} of a rule's match or a route) that can match a request: it starts with {@code /},
   * {@code **} or {@code *}{@code /}. A leading {@code *} stays within one segment and every path starts with
   * {@code /}, so {@code *} or {@code *.json} were taken and never matched anything.
   */
  static void pathGlob(String path, String field) {
    if (path == null || path.startsWith("/") || path.startsWith("**")) {
      return;
    }
    // a leading * stays within one segment and every path starts with /: before a / it can stand for nothing but the
    // empty text, so */orders was /orders alone (not /api/orders, nor /orders/1 as /orders matches)
    throw new ChaosConfigException(field, path.startsWith("*")
        ? "must start with / or **: a leading * stays within one segment and every path starts with /, so this matches"
            + " nothing (/** is any path, /*/orders one segment then /orders, /**/*.json any .json, /*.json one at the"
            + " top), got " + path
        : "must start with / or **, got " + path);
  }

  /**
   * Whether {@code name} can stand as one segment of a REST path ({@code /api/chaos/rules/NAME},
   * {@code /proxies/P/toxics/NAME}): 1 to {@code max} characters, no '/' or control character, and not
   * '.' or '..', which clients and routers resolve away (a DELETE of toxic '..' would reach its proxy).
   */
  static boolean pathSegment(String name, int max) {
    return !name.isBlank() && name.length() <= max && !name.contains("/") && !name.equals(".") && !name.equals("..")
        && name.chars().noneMatch(Character::isISOControl);
  }

  static double probability(Double value, String field, double dflt) {
    double v = value == null ? dflt : value;
    if (!(v >= 0.0 && v <= 1.0)) {
      throw new ChaosConfigException(field, "must be between 0 and 1, got " + value);
    }
    return v;
  }

  static double percent(Double value, String field, double dflt) {
    double v = value == null ? dflt : value;
    if (!(v >= 0.0 && v <= 100.0)) {
      throw new ChaosConfigException(field, "must be between 0 and 100, got " + value);
    }
    return v;
  }

  static long nonNegative(Long value, String field, long dflt) {
    long v = value == null ? dflt : value;
    if (v < 0) {
      throw new ChaosConfigException(field, "must be 0 or more, got " + value);
    }
    return v;
  }

  static int nonNegative(Integer value, String field, int dflt) {
    int v = value == null ? dflt : value;
    if (v < 0) {
      throw new ChaosConfigException(field, "must be 0 or more, got " + value);
    }
    return v;
  }

  static int positive(Integer value, String field, int dflt) {
    int v = value == null ? dflt : value;
    if (v <= 0) {
      throw new ChaosConfigException(field, "must be greater than 0, got " + value);
    }
    return v;
  }

  static long positive(Long value, String field, long dflt) {
    long v = value == null ? dflt : value;
    if (v <= 0) {
      throw new ChaosConfigException(field, "must be greater than 0, got " + value);
    }
    return v;
  }

  /** A delay or time-out no chaos test needs more of: one hour. */
  static final long HOUR_MS = 3_600_000L;
  /** The longest hold or time-out: one day. */
  static final long DAY_MS = 86_400_000L;
  /** The largest count (requests, connections, messages) a setting may name. */
  static final int MAX_COUNT = 1_000_000_000;

  static long nonNegative(Long value, String field, long dflt, long max) {
    return atMost(nonNegative(value, field, dflt), field, max);
  }

  static int nonNegative(Integer value, String field, int dflt, int max) {
    return (int) atMost(nonNegative(value, field, dflt), field, max);
  }

  static long positive(Long value, String field, long dflt, long max) {
    return atMost(positive(value, field, dflt), field, max);
  }

  static int positive(Integer value, String field, int dflt, int max) {
    return (int) atMost(positive(value, field, dflt), field, max);
  }

  /** A rate per second: finite and within {@code [min, max]} (NaN and infinities are refused). */
  static double rate(double value, String field, double min, double max) {
    if (!(value >= min && value <= max)) {
      throw new ChaosConfigException(field, "must be between " + plain(min) + " and " + plain(max) + " per second, got " + value);
    }
    return value;
  }

  private static long atMost(long value, String field, long max) {
    if (value > max) {
      throw new ChaosConfigException(field, "must be at most " + max + (field.endsWith("_ms") ? " (" + describeMs(max) + ")" : "")
          + ", got " + value);
    }
    return value;
  }

  private static String describeMs(long ms) {
    return ms % DAY_MS == 0 ? ms / DAY_MS + " day" + (ms == DAY_MS ? "" : "s") : ms % HOUR_MS == 0 ? ms / HOUR_MS + " h" : ms + " ms";
  }

  private static String plain(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
  }

  /**
   * An HTTP token (a method or a header name, RFC 9110 5.6.2): letters, digits and !#$%&'*+-.^_`|~, at least one.
   * Anything else can never be on the wire, so a match on it never matches.
   */
  static String token(String value, String field) {
    if (value == null || value.isEmpty() || !value.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0))) {
      throw new ChaosConfigException(field, "must be an HTTP token (letters, digits and !#$%&'*+-.^_`|~, no spaces), got "
          + (value == null ? "nothing" : "\"" + value + "\""));
    }
    return value;
  }

  /**
   * {@code list} copied, or empty when absent; a null element is refused naming it ({@code rules[0]}): the copy threw
   * a NullPointerException, answered as Jackson's "Cannot construct instance of ..." with no field.
   */
  static <T> List<T> elements(List<T> list, String field) {
    if (list == null) {
      return List.of();
    }
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i) == null) {
        throw new ChaosConfigException(field + "[" + i + "]", "must not be null");
      }
    }
    return List.copyOf(list);
  }

  /** As {@link #elements}, for a map's values ({@code headers.X-Canary}). */
  static <V> java.util.Map<String, V> values(java.util.Map<String, V> map, String field) {
    if (map == null) {
      return java.util.Map.of();
    }
    map.forEach((key, value) -> {
      if (value == null) {
        throw new ChaosConfigException(field + "." + key, "must not be null");
      }
    });
    return java.util.Map.copyOf(map);
  }

  static List<Integer> statusCodes(List<Integer> codes, String field) {
    if (codes == null) {
      return List.of();
    }
    for (int i = 0; i < codes.size(); i++) {
      Integer code = codes.get(i);
      if (code == null || code < 400 || code > 599) {
        // a 1xx, 2xx or 3xx is no error to any client: the "fault" went unseen except for its header
        throw new ChaosConfigException(field + "[" + i + "]", "must be an HTTP error status, 400 to 599, got " + code);
      }
    }
    return List.copyOf(codes);
  }
}
