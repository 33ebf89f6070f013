package io.faultline.chaos.engine;

import io.vertx.core.Context;
import io.vertx.core.Future;

/**
 * An ability of the faults that hold a limiter for the length of an exchange (a bulkhead's permit, a
 * circuit breaker's verdict on the outcome). The fault hands one to the exchange in a
 * {@link Decision.Guarded}; the exchange lifecycle admits it before going on, and when the exchange
 * ends releases what it admitted and tells it the outcome.
 */
public interface Guard {

  /** Waits for what the exchange needs before it goes on; fails when refused (then {@link #refusal()} answers it). */
  default Future<Void> admit(Context context) {
    return Future.succeededFuture();
  }

  /**
   * The exchange stopped waiting for {@code admission} (its client left, or chaos was switched off): the
   * place it held in a queue is given up at once, not when a permit or its timeout comes.
   */
  default void cancel(Future<Void> admission) {
  }

  /** What an exchange this guard refused is answered with. */
  default Terminal refusal() {
    throw new IllegalStateException(getClass().getSimpleName() + " never refuses");
  }

  /** Gives back what a successful {@link #admit} took; called once for each, even if the exchange ended while it waited. */
  default void release() {
  }

  /**
   * A long-lived connection's opening succeeded (a WebSocket's 101, a tcp connection's upstream connected): what this
   * guard judges by the opening it may settle now, rather than when the connection ends, hours later perhaps.
   */
  default void opened() {
  }

  /** The exchange ended with {@code outcome}; called once per exchange. */
  default void ended(Outcome outcome) {
  }
}
