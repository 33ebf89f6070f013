package io.faultline.orchestration.run;

/** A check that runs every {@code periodMs} on the run's clock until cancelled (the guard's, the watchdog's). */
final class Periodic {

  private final RunClock clock;
  private final long periodMs;
  private final Runnable check;
  private long timer = -1;

  Periodic(RunClock clock, long periodMs, Runnable check) {
    this.clock = clock;
    this.periodMs = periodMs;
    this.check = check;
  }

  void start() {
    timer = clock.setPeriodic(periodMs, id -> check.run());
  }

  boolean running() {
    return timer >= 0;
  }

  void cancel() {
    if (timer >= 0) {
      clock.cancelTimer(timer);
      timer = -1;
    }
  }
}
