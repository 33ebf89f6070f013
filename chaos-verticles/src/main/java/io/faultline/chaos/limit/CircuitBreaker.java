package io.faultline.chaos.limit;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A simulated circuit breaker. Closed, it counts consecutive failures; at {@code failureThreshold} it
 * opens and rejects everything for {@code resetTimeoutMs}; then it is half-open and lets
 * {@code halfOpenMaxRequests} probes through: a failed probe opens it again, {@code successThreshold}
 * good ones close it. Lock-free: atomics only.
 */
public final class CircuitBreaker {

  public enum State { CLOSED, OPEN, HALF_OPEN }

  /** What {@link #tryPass()} allows. */
  public enum Pass { REJECTED, NORMAL, PROBE }

  private static final long CLOSED = Long.MIN_VALUE;

  private final int failureThreshold;
  private final long resetNanos;
  private final int halfOpenMax;
  private final int successThreshold;
  private final LongSupplier nanoClock;
  private final AtomicLong openedAt = new AtomicLong(CLOSED);
  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicInteger successes = new AtomicInteger();
  private final AtomicInteger probes = new AtomicInteger();

  public CircuitBreaker(int failureThreshold, long resetTimeoutMs, int halfOpenMaxRequests, int successThreshold,
      LongSupplier nanoClock) {
    this.failureThreshold = failureThreshold;
    this.resetNanos = resetTimeoutMs * 1_000_000L;
    this.halfOpenMax = halfOpenMaxRequests;
    this.successThreshold = successThreshold;
    this.nanoClock = nanoClock;
  }

  public State state() {
    long opened = openedAt.get();
    if (opened == CLOSED) {
      return State.CLOSED;
    }
    return nanoClock.getAsLong() - opened < resetNanos ? State.OPEN : State.HALF_OPEN;
  }

  public Pass tryPass() {
    switch (state()) {
      case CLOSED:
        return Pass.NORMAL;
      case OPEN:
        return Pass.REJECTED;
      default:
        if (probes.incrementAndGet() <= halfOpenMax) {
          return Pass.PROBE;
        }
        probes.decrementAndGet();
        return Pass.REJECTED;
    }
  }

  /** Records the outcome of a request that {@link #tryPass()} let through. */
  public void onResult(Pass pass, boolean failed) {
    if (pass == Pass.PROBE) {
      probes.decrementAndGet();
      if (failed) {
        open();
      } else if (successes.incrementAndGet() >= successThreshold) {
        close();
      }
    } else if (pass == Pass.NORMAL && openedAt.get() == CLOSED) {
      if (!failed) {
        failures.set(0);
      } else if (failures.incrementAndGet() >= failureThreshold) {
        open();
      }
    }
  }

  /** Gives back what {@link #tryPass()} granted without recording an outcome (the request never reached the upstream). */
  public void onIgnored(Pass pass) {
    if (pass == Pass.PROBE) {
      probes.decrementAndGet();
    }
  }

  private void open() {
    failures.set(0);
    successes.set(0);
    openedAt.set(nanoClock.getAsLong());
  }

  private void close() {
    failures.set(0);
    successes.set(0);
    openedAt.set(CLOSED);
  }
}
