package io.faultline.orchestration.model;

/** Stop the run when {@code condition} holds for {@code forSeconds} (checked every half second on the last {@code windowSeconds} of traffic). */
public record Guard(Condition condition, double forSeconds, double windowSeconds) {
}
