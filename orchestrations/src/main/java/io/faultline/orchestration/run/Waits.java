package io.faultline.orchestration.run;

import io.vertx.core.Future;
import io.vertx.core.Promise;

/** A run's waits on its clock (a step's duration, a delay before it): announced to the watchdog, and cut short by a stop. */
final class Waits {

  private final RunClock clock;
  private final Watchdog watchdog;
  private Promise<Void> waiting;
  private long timer = -1;

  Waits(RunClock clock, Watchdog watchdog) {
    this.clock = clock;
    this.watchdog = watchdog;
  }

  /** Waits {@code seconds} (at least a millisecond when more than 0), or until {@link #wake}. */
  Future<Void> sleep(double seconds) {
    if (seconds <= 0) {
      return Future.succeededFuture();
    }
    long ms = Math.max(1, (long) (seconds * 1000));
    Promise<Void> promise = Promise.promise();
    waiting = promise;
    watchdog.expect("a wait of " + ms + " ms", ms);
    timer = clock.setTimer(ms, t -> promise.tryComplete());
    return promise.future();
  }

  /** Ends the current wait now. */
  void wake() {
    if (timer >= 0) {
      clock.cancelTimer(timer);
      timer = -1;
    }
    if (waiting != null) {
      waiting.tryComplete();
    }
  }
}
