package io.faultline.chaos.limit;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A token bucket of {@code burst} tokens refilled at {@code permitsPerSecond}, kept as one theoretical
 * arrival time per key (the GCRA form of a token bucket): one compare-and-set per request, no lock.
 * Keys give one bucket per client or endpoint; {@code null} is the shared bucket.
 */
public final class RateLimiter {

  /**
   * Beyond this many keys the buckets that are full again are forgotten (one made anew is the same), and only if
   * that frees too little do all start over, rather than grow without bound.
   */
  static final int MAX_KEYS = 100_000;

  private final long intervalNanos;
  private final long toleranceNanos;
  private final LongSupplier nanoClock;
  private final AtomicLong shared;
  private final ConcurrentHashMap<String, AtomicLong> byKey = new ConcurrentHashMap<>();

  public RateLimiter(double permitsPerSecond, int burst, LongSupplier nanoClock) {
    if (!(permitsPerSecond > 0) || burst < 1) {
      throw new IllegalArgumentException("permitsPerSecond must be > 0 and burst >= 1");
    }
    this.intervalNanos = Math.max(1, (long) (1_000_000_000L / permitsPerSecond));
    // saturated: a low rate with a large burst (0.1/s, 10^9) overflowed to a negative tolerance, refusing everything
    long tolerance;
    try {
      tolerance = Math.min(Long.MAX_VALUE / 4, Math.multiplyExact(intervalNanos, burst - 1L));
    } catch (ArithmeticException overflow) {
      tolerance = Long.MAX_VALUE / 4;
    }
    this.toleranceNanos = tolerance;
    this.nanoClock = nanoClock;
    this.shared = new AtomicLong(nanoClock.getAsLong());
  }

  /** A limiter of {@code permitsPerSecond} whose burst is one second's worth (at least one). */
  public static RateLimiter perSecond(double permitsPerSecond, java.util.function.LongSupplier nanoClock) {
    return new RateLimiter(permitsPerSecond, (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.ceil(permitsPerSecond))), nanoClock);
  }

  /** Takes a token; returns 0 when granted, otherwise the nanoseconds until one is available. */
  public long tryAcquire(String key) {
    AtomicLong tat = key == null ? shared : bucket(key);
    long now = nanoClock.getAsLong();
    while (true) {
      long current = tat.get();
      long start = Math.max(current, now);
      long wait = start - now - toleranceNanos;
      if (wait > 0) {
        return wait;
      }
      if (tat.compareAndSet(current, start + intervalNanos)) {
        return 0;
      }
    }
  }

  /**
   * Gives back a token {@link #tryAcquire} granted for {@code key}: a request another bucket refused was not
   * let through, so it spends nothing here (one client over its own limit used up the shared bucket).
   */
  public void giveBack(String key) {
    (key == null ? shared : bucket(key)).addAndGet(-intervalNanos);
  }

  /**
   * Makes room for new keys. A bucket whose theoretical arrival time has passed is full, as a new one is: forgetting it
   * changes nothing. Clearing them all, as before, refilled every client still over its limit, so one client sending
   * 100,000 distinct paths reset every per-endpoint bucket. Only when a tenth cannot be freed so (that many keys all
   * being limited at once) do all start over, so the sweep runs at most once per 10,000 new keys.
   */
  private void forgetFull() {
    long now = nanoClock.getAsLong();
    byKey.values().removeIf(tat -> tat.get() <= now);
    if (byKey.size() > MAX_KEYS - MAX_KEYS / 10) {
      byKey.clear();
    }
  }

  private AtomicLong bucket(String key) {
    AtomicLong tat = byKey.get(key);
    if (tat == null) {
      if (byKey.size() >= MAX_KEYS) {
        forgetFull();
      }
      tat = byKey.computeIfAbsent(key, k -> new AtomicLong(nanoClock.getAsLong()));
    }
    return tat;
  }
}
