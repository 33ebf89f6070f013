package io.faultline.orchestration.model;

/**
 * How an orchestration reads a value as a number, wherever it does (a condition's comparison, an assertion's
 * metric, a {@code record_metric} hook when it is parsed and when it runs): a number, or text that is one
 * ({@code "250"}, {@code " 0.5 "}: a {@code --var} or an HTTP hook's answer), so the check and the run agree.
 */
public final class Numbers {

  private Numbers() {
  }

  /**
   * {@code value} as a number, or null when it is none. NaN and the infinities are none ({@code .nan}, {@code "NaN"}
   * from a {@code --var}): compared, NaN held as greater than any value, and recorded, it was the text "NaN" in a report.
   */
  public static Double of(Object value) {
    Double number = null;
    if (value instanceof Number n) {
      number = n.doubleValue();
    } else if (value instanceof String s) {
      try {
        number = Double.parseDouble(s.trim());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return number != null && Double.isFinite(number) ? number : null;
  }

  /** Whether {@code value} is a finite number (a metric can record it). */
  public static boolean finite(Object value) {
    return of(value) != null;
  }
}
