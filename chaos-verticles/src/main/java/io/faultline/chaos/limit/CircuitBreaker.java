package io.faultline.chaos.limit;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A simulated circuit breaker. Closed, it counts consecutive failures; at {@code failureThreshold} it
 * opens and rejects everything for {@code resetTimeoutMs}; then it is half-open and lets
 * {@code halfOpenMaxRequests} probes through: a failed probe opens it again, {@code successThreshold}
 * good ones close it. A probe's outcome counts only in the half-open period that let it through: one
 * that ends after the breaker opened again (another probe failed meanwhile) neither closes it nor opens it
 * anew. Lock-free: atomics only.
 */
public final class CircuitBreaker {

  public enum State { CLOSED, OPEN, HALF_OPEN }

  /** What {@link #tryPass()} allows. */
  public enum Pass { REJECTED, NORMAL, PROBE }

  /** A pass and, for a probe, the half-open period it belongs to (when the breaker had opened). */
  public record Ticket(Pass pass, long period) {
    /** Every request a closed breaker lets through. */
    public static final Ticket NORMAL = new Ticket(Pass.NORMAL, CLOSED);
  }

  private static final long CLOSED = Long.MIN_VALUE;
  private static final Ticket REJECTED = new Ticket(Pass.REJECTED, CLOSED);

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
    return state(openedAt.get());
  }

  private State state(long opened) {
    if (opened == CLOSED) {
      return State.CLOSED;
    }
    return nanoClock.getAsLong() - opened < resetNanos ? State.OPEN : State.HALF_OPEN;
  }

  public Ticket tryPass() {
    long opened = openedAt.get();
    switch (state(opened)) {
      case CLOSED:
        return Ticket.NORMAL;
      case OPEN:
        return REJECTED;
      default:
        if (probes.incrementAndGet() <= halfOpenMax) {
          return new Ticket(Pass.PROBE, opened);
        }
        probes.decrementAndGet();
        return REJECTED;
    }
  }

  /** Records the outcome of a request that {@link #tryPass()} let through. */
  public void onResult(Ticket ticket, boolean failed) {
    if (ticket.pass() == Pass.PROBE) {
      probes.decrementAndGet();
      if (openedAt.get() != ticket.period()) {
        return; // the breaker opened again (or closed) since this probe went: its outcome belongs to a period that is over
      }
      if (failed) {
        open();
      } else if (successes.incrementAndGet() >= successThreshold) {
        close();
      }
    } else if (ticket.pass() == Pass.NORMAL && openedAt.get() == CLOSED) {
      if (!failed) {
        failures.set(0);
      } else if (failures.incrementAndGet() >= failureThreshold) {
        open();
      }
    }
  }

  /** Gives back what {@link #tryPass()} granted without recording an outcome (the request never reached the upstream). */
  public void onIgnored(Ticket ticket) {
    if (ticket.pass() == Pass.PROBE) {
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
