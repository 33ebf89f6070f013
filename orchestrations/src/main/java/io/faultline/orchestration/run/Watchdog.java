package io.faultline.orchestration.run;

import java.util.function.Consumer;

/**
 * Guarantees a run ends, and so restores the config that was active before it. Whatever the run waits
 * for (a step's duration, a control request, a hook's command or HTTP call) it announces with
 * {@link #expect}; if that is not over {@link #GRACE_MS} after it should have been, or a stopped run
 * has not wound down within {@link #GRACE_MS} of the stop, the watchdog ends the run itself.
 */
final class Watchdog {

  /** Slack beyond a wait's own bound before the watchdog steps in; also how long a stopped run may take to wind down. */
  static final long GRACE_MS = 5_000;
  static final long CHECK_EVERY_MS = 1_000;

  private final RunClock clock;
  private final Consumer<String> overdue;
  private final Periodic checks;
  private String waitingFor = "the run to start";
  private long deadline = Long.MAX_VALUE;
  private long stopDeadline = Long.MAX_VALUE;

  Watchdog(RunClock clock, Consumer<String> overdue) {
    this.clock = clock;
    this.overdue = overdue;
    this.checks = new Periodic(clock, CHECK_EVERY_MS, this::check);
  }

  void start() {
    checks.start();
  }

  /** The run now waits for {@code what}, which takes at most {@code withinMs}. */
  void expect(String what, long withinMs) {
    waitingFor = what;
    deadline = clock.millis() + Math.max(0, withinMs) + GRACE_MS;
  }

  /** The run was told to stop: it has {@link #GRACE_MS} to restore and end, whatever it waits for. */
  void stopping() {
    stopDeadline = Math.min(stopDeadline, clock.millis() + GRACE_MS);
  }

  /** The clean-up hooks run now, also after a stop: each is bounded by its own {@link #expect}, not by the stop's grace. */
  void cleaningUp() {
    stopDeadline = Long.MAX_VALUE;
  }

  void cancel() {
    checks.cancel();
  }

  private void check() {
    long now = clock.millis();
    if (now > stopDeadline) {
      cancel();
      overdue.accept("watchdog: the run did not wind down within " + GRACE_MS / 1000 + " s of being stopped (it waited for "
          + waitingFor + ")");
    } else if (now > deadline) {
      cancel();
      overdue.accept("watchdog: " + waitingFor + " was not over " + GRACE_MS / 1000 + " s after its time");
    }
  }
}
