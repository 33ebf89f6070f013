package io.faultline.orchestration.model;

import java.util.List;

/**
 * A condition of reference 004: {@code equals}, {@code not_equals}, {@code greater_than},
 * {@code less_than} (a variable against a value), {@code exists}, {@code and}, {@code or}, {@code not},
 * {@code previous_step_succeeded}, {@code previous_step_failed}, {@code metric_threshold} (a metric
 * against a threshold with an operator).
 */
public record Condition(String type, String variable, Object value, String metric, String operator, Double threshold,
    List<Condition> conditions) {
}
