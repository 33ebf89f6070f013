package io.faultline.orchestration.hook;

/**
 * What a hook may touch of the run it belongs to. Every method is called on the run's event loop
 * (hook actions that work elsewhere hand their results back there first).
 */
public interface HookContext {

  /** {@code text} with {@code ${variables.x}}, {@code {{now}}}, {@code {{timestamp}}} and {@code {{duration}}} filled in. */
  String interpolate(String text);

  /**
   * The value {@code text} stands for: a lone placeholder's ({@code "${variables.delay}"}) with its type, as a step's field
   * takes it; else {@link #interpolate} of it.
   */
  default Object value(String text) {
    return interpolate(text);
  }

  void setVariable(String name, Object value);

  void recordMetric(String name, double value);

  /** Appends a line (the time is added) to the run's log. */
  void log(String line);

  /** An error of the run (it appears in the report's {@code errors}). */
  void error(String message);

  /** A warning of the run (the report's {@code warnings}): something was refused, and the run went on. */
  void warn(String message);

  /** Tells the run's watchdog that the hook now waits for {@code what}, which may take up to {@code withinMs}. */
  void expect(String what, long withinMs);

  /** Whether the run is being stopped, so a long action gives up at once. Safe from any thread (a command's worker asks). */
  default boolean stopping() {
    return false;
  }
}
