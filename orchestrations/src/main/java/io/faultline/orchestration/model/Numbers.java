package io.faultline.orchestration.model;

/**
 * How an orchestration reads a value as a number, wherever it does (a condition's comparison, an assertion's
 * metric, a {@code record_metric} hook when it is parsed and when it runs): a number, or text that is one
 * ({@code "250"}, {@code " 0.5 "}: a {@code --var} or an HTTP hook's answer), so the check and the run agree.
 */
public final class Numbers {

  private Numbers() {
  }

  /** {@code value} as a number, or null when it is none. */
  public static Double of(Object value) {
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    if (value instanceof String s) {
      try {
        return Double.parseDouble(s.trim());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  /** Whether {@code value} is a finite number (a metric can record it). */
  public static boolean finite(Object value) {
    Double number = of(value);
    return number != null && Double.isFinite(number);
  }
}
