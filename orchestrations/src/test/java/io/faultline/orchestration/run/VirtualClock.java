package io.faultline.orchestration.run;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.util.Comparator;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link RunClock} whose time moves only when timers need it to. Automatic: whenever a one-shot timer
 * (a step's wait) is pending, time jumps to the next timer due and fires it, so a 30-second step takes
 * no real time while periodic checks (the guard, the watchdog) still fire in between at their virtual
 * times; with no one-shot pending (the run waits for a reply) time stands still. Manual: only
 * {@link #advance} moves it.
 */
public final class VirtualClock implements RunClock {

  private record Timer(long id, long due, long period, Handler<Long> handler, Context context) {
  }

  private final boolean automatic;
  private final TreeSet<Timer> timers = new TreeSet<>(Comparator.comparingLong(Timer::due).thenComparingLong(Timer::id));
  private long now = 1_700_000_000_000L;
  /** What the wall clock was set by ({@link #setBack}): {@link #millis} reads it, timers do not (Vert.x's run on a monotonic clock). */
  private long offset;
  private long nextId = 1;
  private boolean pumping;

  private VirtualClock(boolean automatic) {
    this.automatic = automatic;
  }

  public static VirtualClock automatic() {
    return new VirtualClock(true);
  }

  public static VirtualClock manual() {
    return new VirtualClock(false);
  }

  @Override
  public synchronized long millis() {
    return now + offset;
  }

  /** Sets the wall clock back by {@code ms} (an NTP step): timers go on firing when they would have. */
  public synchronized void setBack(long ms) {
    offset -= ms;
  }

  @Override
  public long setTimer(long delayMs, Handler<Long> handler) {
    return add(delayMs, 0, handler);
  }

  @Override
  public long setPeriodic(long periodMs, Handler<Long> handler) {
    return add(periodMs, periodMs, handler);
  }

  private long add(long delayMs, long period, Handler<Long> handler) {
    Context context = Vertx.currentContext();
    long id;
    boolean pump;
    synchronized (this) {
      id = nextId++;
      timers.add(new Timer(id, now + Math.max(1, delayMs), period, handler, context));
      pump = automatic && period == 0 && !pumping;
      pumping |= pump;
      notifyAll();
    }
    if (pump) {
      context.runOnContext(v -> fireNext());
    }
    return id;
  }

  @Override
  public synchronized boolean cancelTimer(long id) {
    return timers.removeIf(t -> t.id() == id);
  }

  /** Waits (at most 10 s) until a one-shot timer is pending: the run is waiting on the clock (a step holds). */
  synchronized void awaitWaiting() throws InterruptedException {
    awaitWaiting(1);
  }

  /** Waits (at most 10 s) until {@code count} one-shot timers are pending: as many runs wait on the clock. */
  public synchronized void awaitWaiting(int count) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (timers.stream().filter(t -> t.period() == 0).count() < count) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        throw new AssertionError("the run never waited on the clock");
      }
      wait(left);
    }
  }

  /** Moves time on by {@code ms}, firing every timer that comes due, each on its context and in order (waits for each). */
  public void advance(long ms) throws Exception {
    long target;
    synchronized (this) {
      target = now + ms;
    }
    while (true) {
      Timer next = take(target);
      if (next == null) {
        break;
      }
      CompletableFuture<Void> fired = new CompletableFuture<>();
      next.context().runOnContext(v -> {
        next.handler().handle(next.id());
        fired.complete(null);
      });
      fired.get(10, TimeUnit.SECONDS);
    }
    synchronized (this) {
      now = Math.max(now, target);
    }
  }

  /** The first timer due by {@code until}, removed (a periodic one put back for its next time), with time moved to it. */
  private synchronized Timer take(long until) {
    if (timers.isEmpty() || timers.first().due() > until) {
      return null;
    }
    Timer next = timers.pollFirst();
    now = Math.max(now, next.due());
    if (next.period() > 0) {
      timers.add(new Timer(next.id(), next.due() + next.period(), next.period(), next.handler(), next.context()));
    }
    return next;
  }

  private void fireNext() {
    Timer next;
    synchronized (this) {
      Timer oneShot = timers.stream().filter(t -> t.period() == 0).findFirst().orElse(null);
      if (oneShot == null) {
        pumping = false;
        return;
      }
      next = take(oneShot.due());
    }
    next.handler().handle(next.id());
    Vertx.currentContext().runOnContext(v -> fireNext());
  }
}
