package io.faultline.history.store;

/**
 * What history keeps: rows younger than {@code days} and, of each kind, at most the newest
 * {@code maxRuns} runs (windows and experiments too), {@code maxChanges} changes and
 * {@code maxExchanges} recorded exchanges.
 */
public record Retention(int days, int maxRuns, int maxChanges, int maxExchanges) {
}
