package io.faultline.orchestration.run;

import io.faultline.orchestration.model.Guard;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The {@code abort_when} guard: every half second it reads the last {@code window_seconds} of traffic (the run's
 * own: its window starts no earlier than the run), and once the condition has held for {@code for_seconds} it
 * aborts the run.
 */
final class AbortGuard {

  static final long CHECK_EVERY_MS = 500;

  private final Guard guard;
  private final RunClock clock;
  private final Periodic checks;
  private final BiFunction<Long, Long, Future<JsonObject>> window;
  private final Predicate<JsonObject> holds;
  private final Consumer<JsonObject> abort;
  private long since = -1;

  /** {@code window} measures traffic between two times; {@code holds} evaluates the guard's condition on it. */
  AbortGuard(Guard guard, RunClock clock, BiFunction<Long, Long, Future<JsonObject>> window, Predicate<JsonObject> holds,
      Consumer<JsonObject> abort) {
    this.guard = guard;
    this.clock = clock;
    this.window = window;
    this.holds = holds;
    this.abort = abort;
    this.checks = new Periodic(clock, CHECK_EVERY_MS, this::check);
  }

  void start() {
    if (guard != null) {
      checks.start();
    }
  }

  void cancel() {
    checks.cancel();
  }

  private void check() {
    long now = clock.millis();
    window.apply(now - (long) (guard.windowSeconds() * 1000), now).onSuccess(metrics -> {
      if (!checks.running()) {
        return; // cancelled while measuring
      }
      if (!holds.test(metrics)) {
        since = -1;
        return;
      }
      if (since < 0) {
        since = now;
      }
      if (now - since >= guard.forSeconds() * 1000) {
        cancel();
        abort.accept(metrics);
      }
    });
  }
}
