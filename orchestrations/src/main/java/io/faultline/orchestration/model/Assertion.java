package io.faultline.orchestration.model;

/** An assertion: {@code variable_equals}, {@code metric_in_range}, {@code step_succeeded}, {@code step_failed} or {@code condition}. */
public record Assertion(String type, String variable, Object expected, String metric, Double min, Double max, String step,
    Condition condition) {
}
