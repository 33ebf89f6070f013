package io.faultline.orchestration.run;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;

/**
 * The time a run sees and the timers it waits on. Timers fire on the context that set them. Runs use
 * {@link #system}; tests use a virtual clock so a 30-second step takes no real time.
 */
public interface RunClock {

  /** Now, in epoch milliseconds. */
  long millis();

  long setTimer(long delayMs, Handler<Long> handler);

  long setPeriodic(long periodMs, Handler<Long> handler);

  boolean cancelTimer(long id);

  /** The wall clock and Vert.x timers. */
  static RunClock system(Vertx vertx) {
    return new RunClock() {
      @Override
      public long millis() {
        return System.currentTimeMillis();
      }

      @Override
      public long setTimer(long delayMs, Handler<Long> handler) {
        return vertx.setTimer(Math.max(1, delayMs), handler);
      }

      @Override
      public long setPeriodic(long periodMs, Handler<Long> handler) {
        return vertx.setPeriodic(periodMs, handler);
      }

      @Override
      public boolean cancelTimer(long id) {
        return vertx.cancelTimer(id);
      }
    };
  }
}
