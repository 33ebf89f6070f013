package io.faultline.orchestration.run;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;

/**
 * Puts back the config that was active before a run ({@link ControlBus#restore}), tried {@link #ATTEMPTS}
 * times a second apart (a node busy or between leaders may miss one), then given up on with an error.
 */
final class Restore {

  static final int ATTEMPTS = 3;

  private final ControlBus bus;
  private final RunClock clock;
  private final Watchdog watchdog;
  private final Consumer<String> error;
  /** Every attempt failed: the run's chaos may still be on. */
  private boolean failed;

  Restore(ControlBus bus, RunClock clock, Watchdog watchdog, Consumer<String> error) {
    this.bus = bus;
    this.clock = clock;
    this.watchdog = watchdog;
    this.error = error;
  }

  /** Restores {@code before} (nothing to do when the run never read it, so never changed anything). */
  Future<Void> restore(JsonObject before) {
    return before == null ? Future.succeededFuture() : attempt(before, 1);
  }

  /**
   * Whether the config could not be put back, every attempt failing: a run that ends so has failed, whatever its steps
   * did (it ended "succeeded", its chaos left on, said only in its errors). Not a put-back the kill switch refused: chaos
   * is off then, as the switch asked.
   */
  boolean failed() {
    return failed;
  }

  private Future<Void> attempt(JsonObject before, int attempt) {
    watchdog.expect("the config to be restored", ControlBus.TIMEOUT_MS);
    return bus.restore(before).<Void>mapEmpty().recover(e -> {
      if (io.faultline.chaos.control.KilledRuns.refused(e)) {
        error.accept("the chaos config is not put back: " + io.faultline.chaos.control.ControlError.reason(e));
        return Future.succeededFuture(); // refused for good (the kill switch stopped the run): not tried again
      }
      if (attempt < ATTEMPTS) {
        Promise<Void> again = Promise.promise();
        clock.setTimer(1_000L * attempt, t -> attempt(before, attempt + 1).onComplete(again));
        return again.future();
      }
      failed = true;
      error.accept("could not restore the chaos config: " + e.getMessage());
      return Future.succeededFuture();
    });
  }
}
