package io.faultline.chaos.limit;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A simulated bulkhead: {@code maxConcurrent} permits; up to {@code maxQueue} callers wait for one, each
 * at most {@code queueTimeoutMs}; anyone beyond is refused. Waiting is a future, never a blocked thread;
 * permits are atomics shared by every event loop.
 */
public final class Bulkhead {

  /** Why {@link #acquire(Context)} failed: no permit and no room (or time) left in the queue. */
  public static final class Full extends RuntimeException {
    Full(String message) {
      super(message, null, false, false);
    }
  }

  private static final Full QUEUE_FULL = new Full("bulkhead full");
  private static final Full QUEUE_TIMEOUT = new Full("bulkhead queue timeout");
  private static final Full CANCELLED = new Full("left the bulkhead's queue");

  private volatile int maxConcurrent;
  private volatile int maxQueue;
  private volatile long queueTimeoutMs;
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicInteger queued = new AtomicInteger();
  private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();

  public Bulkhead(int maxConcurrent, int maxQueue, long queueTimeoutMs) {
    this.maxConcurrent = maxConcurrent;
    this.maxQueue = maxQueue;
    this.queueTimeoutMs = queueTimeoutMs;
  }

  /**
   * New limits for the requests to come, the ones holding a permit and waiting for one still counted: with
   * fewer permits, none is granted until enough are given back; with more, waiting requests get them now.
   * A request already waiting keeps its own queue timeout.
   */
  public void resize(int maxConcurrent, int maxQueue, long queueTimeoutMs) {
    this.maxConcurrent = maxConcurrent;
    this.maxQueue = maxQueue;
    this.queueTimeoutMs = queueTimeoutMs;
    drain();
  }

  /** Requests holding a permit now. */
  public int active() {
    return active.get();
  }

  /** Requests waiting for a permit now. */
  public int queued() {
    return queued.get();
  }

  public int maxConcurrent() {
    return maxConcurrent;
  }

  public Future<Void> acquire(Context context) {
    if (tryTake()) {
      return Future.succeededFuture();
    }
    if (queued.incrementAndGet() > maxQueue) {
      queued.decrementAndGet();
      return Future.failedFuture(QUEUE_FULL);
    }
    Waiter waiter = new Waiter(context);
    waiter.timer = context.owner().setTimer(queueTimeoutMs, id -> {
      if (waiter.claim()) {
        waiters.remove(waiter);
        queued.decrementAndGet();
        waiter.promise.fail(QUEUE_TIMEOUT);
      }
    });
    waiters.add(waiter);
    drain();
    return waiter.promise.future();
  }

  public void release() {
    active.decrementAndGet();
    drain();
  }

  /**
   * Takes a caller waiting for {@code pending} (a future {@link #acquire} answered) out of the queue: its
   * place is free at once and {@code pending} fails. Nothing happens when it holds a permit already.
   */
  public void cancel(Future<Void> pending) {
    for (Waiter waiter : waiters) {
      if (waiter.promise.future() == pending) {
        if (waiter.claim()) {
          waiters.remove(waiter);
          queued.decrementAndGet();
          waiter.context.owner().cancelTimer(waiter.timer);
          waiter.promise.fail(CANCELLED);
        }
        return;
      }
    }
  }

  private boolean tryTake() {
    while (true) {
      int current = active.get();
      if (current >= maxConcurrent) {
        return false;
      }
      if (active.compareAndSet(current, current + 1)) {
        return true;
      }
    }
  }

  private void drain() {
    while (!waiters.isEmpty() && tryTake()) {
      Waiter waiter = waiters.poll();
      if (waiter == null || !waiter.claim()) {
        active.decrementAndGet();
        continue;
      }
      queued.decrementAndGet();
      waiter.context.owner().cancelTimer(waiter.timer);
      waiter.context.runOnContext(v -> waiter.promise.complete());
    }
  }

  private static final class Waiter {
    final Context context;
    final Promise<Void> promise = Promise.promise();
    final AtomicBoolean claimed = new AtomicBoolean();
    volatile long timer;

    Waiter(Context context) {
      this.context = context;
    }

    boolean claim() {
      return claimed.compareAndSet(false, true);
    }
  }
}
