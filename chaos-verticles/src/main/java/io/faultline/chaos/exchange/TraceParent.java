package io.faultline.chaos.exchange;

/** The trace id of a W3C {@code traceparent} header ({@code 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>}). */
final class TraceParent {

  static final String HEADER = "traceparent";
  /** Vendors' trace state, which goes with the {@code traceparent} it came with. */
  static final String STATE_HEADER = "tracestate";

  private TraceParent() {
  }

  /** The trace id, or null when the header is absent or not a valid traceparent (an all-zero id is invalid). */
  static String traceId(String header) {
    if (header == null) {
      return null;
    }
    String value = header.trim();
    if (value.length() < 55 || value.charAt(2) != '-' || value.charAt(35) != '-' || value.charAt(52) != '-'
        || !hex(value, 0, 2) || value.startsWith("ff") || !hex(value, 3, 35) || !hex(value, 36, 52) || !hex(value, 53, 55)
        || value.length() > 55 && (value.startsWith("00") || value.charAt(55) != '-')) {
      return null;
    }
    String id = value.substring(3, 35);
    return id.chars().allMatch(c -> c == '0') ? null : id;
  }

  private static boolean hex(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }
}
