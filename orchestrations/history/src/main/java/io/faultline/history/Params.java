package io.faultline.history;

import io.faultline.chaos.config.ChaosConfigException;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Reads request fields that may arrive as JSON numbers (event bus, GraphQL) or as text (REST query
 * parameters), and refuses bad ones naming the field and the value. Values quoted back are cut to 100
 * characters, so an error stays small whatever was sent.
 */
public final class Params {

  private Params() {
  }

  /**
   * Epoch milliseconds below this (1973-03-03) are taken for epoch seconds given by mistake ({@code date +%s}: ten digits
   * until the year 2286) and refused: read as milliseconds they were a time in January 1970, so {@code since} kept
   * everything and {@code until} nothing. 0 is the beginning, as written.
   */
  static final long SECONDS_BELOW = 100_000_000_000L;

  /** A time: epoch milliseconds, or ISO-8601 ({@code 2025-10-07T00:00:00Z}); null when absent. */
  public static Long time(JsonObject body, String field) {
    Object v = body == null ? null : body.getValue(field);
    if (v == null || v instanceof String s && s.isBlank()) {
      return null;
    }
    if (v instanceof Number n) {
      return milliseconds(field, n.longValue());
    }
    String s = v.toString().trim();
    if (s.matches("\\d{1,15}")) {
      return milliseconds(field, Long.parseLong(s));
    }
    try {
      return Instant.parse(s).toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new ChaosConfigException(field, "must be an ISO-8601 time (2025-10-07T00:00:00Z) or epoch milliseconds, got " + quote(v));
    }
  }

  private static long milliseconds(String field, long ms) {
    if (ms > 0 && ms < SECONDS_BELOW) {
      throw new ChaosConfigException(field, "must be epoch milliseconds or an ISO-8601 time; " + ms + " looks like epoch seconds (as"
          + " milliseconds it is in 1970): give " + ms + "000, or " + Instant.ofEpochSecond(ms));
    }
    if (ms >= MICROS_FROM) {
      // as text, 16 digits and more were refused; as a JSON number they were a time some 50,000 years on, which found nothing
      throw new ChaosConfigException(field, "must be epoch milliseconds or an ISO-8601 time; " + ms + " looks like epoch"
          + " microseconds or nanoseconds (as milliseconds it is after the year 30000; as microseconds, "
          + Instant.ofEpochMilli(ms / 1_000) + "): divide it by 1,000 (by 1,000,000 for nanoseconds), or give an ISO-8601 time");
    }
    return ms;
  }

  /** Epoch milliseconds from here on (the year 33658) are taken for microseconds or nanoseconds (16 digits and more). */
  private static final long MICROS_FROM = 1_000_000_000_000_000L;

  /** A whole number within [min, max], or {@code otherwise} when absent. */
  public static int integer(JsonObject body, String field, int otherwise, int min, int max) {
    Double d = number(body, field);
    if (d == null) {
      return otherwise;
    }
    if (d != Math.rint(d) || d < min || d > max) {
      throw new ChaosConfigException(field, "must be a whole number from " + min + " to " + max + ", got " + quote(body.getValue(field)));
    }
    return d.intValue();
  }

  private static final java.util.regex.Pattern DECIMAL = java.util.regex.Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

  /** {@code since} and {@code until} (either may be absent); {@code until} before {@code since} is refused, not answered with nothing. */
  public static void window(Long since, Long until) {
    if (since != null && until != null && until < since) {
      throw new ChaosConfigException("until", "must not be before since");
    }
  }

  /** A number, or null when absent. */
  public static Double number(JsonObject body, String field) {
    Object v = body == null ? null : body.getValue(field);
    if (v == null || v instanceof String s && s.isBlank()) {
      return null;
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    // decimal only: Java would also read 5d, 0x1p3 and NaN
    String text = v.toString().trim();
    if (DECIMAL.matcher(text).matches()) {
      double d = Double.parseDouble(text);
      if (Double.isFinite(d)) {
        return d;
      }
    }
    throw new ChaosConfigException(field, "must be a number, got " + quote(v));
  }

  /** A text field, or null when absent; longer than {@code max} is refused. */
  public static String text(JsonObject body, String field, int max) {
    Object v = body == null ? null : body.getValue(field);
    if (v == null || v instanceof String s && s.isEmpty()) {
      return null;
    }
    if (!(v instanceof String s)) {
      throw new ChaosConfigException(field, "must be text, got " + quote(v));
    }
    if (s.length() > max) {
      throw new ChaosConfigException(field, "must be at most " + max + " characters, got " + s.length());
    }
    return s;
  }

  /** A required text field. */
  public static String required(JsonObject body, String field, int max) {
    String s = text(body, field, max);
    if (s == null || s.isBlank()) {
      throw new ChaosConfigException(field, "is required");
    }
    return s;
  }

  /**
   * Refuses a number written as text among {@code fields} of a JSON body ({@code "samples": "3"}): query
   * parameters are text and read as numbers, but a JSON body says what it means, and a quoted number is a
   * mistake the config API refuses too (it was taken, and stored and echoed as text).
   */
  public static void numbersNotText(JsonObject body, java.util.Collection<String> fields) {
    for (String field : fields) {
      if (body != null && body.getValue(field) instanceof String text) {
        throw new ChaosConfigException(field, "must be a number, not text: got " + quote(text));
      }
    }
  }

  /** One of {@code allowed}, or {@code otherwise} when absent. */
  /** Refuses a field of {@code body} not in {@code known}: a misspelt one ({@code "sampels"}) would silently take the default. */
  public static void only(JsonObject body, java.util.Collection<String> known) {
    for (String field : body.fieldNames()) {
      if (!known.contains(field)) {
        throw new ChaosConfigException(field, "unknown field; known: " + new java.util.TreeSet<>(known));
      }
    }
  }

  public static String oneOf(JsonObject body, String field, String otherwise, java.util.List<String> allowed) {
    String s = text(body, field, 64);
    if (s == null) {
      return otherwise;
    }
    if (!allowed.contains(s)) {
      throw new ChaosConfigException(field, "must be one of " + allowed + ", got " + quote(s));
    }
    return s;
  }

  static String quote(Object v) {
    String s = String.valueOf(v);
    return s.length() > 100 ? s.substring(0, 100) + "..." : s;
  }
}
