package io.faultline.history.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A bounded hand-off from any thread (an event loop on the request path, an event-bus consumer) to the
 * one writer that drains it: {@link #offer} never blocks and never waits. Past {@code capacity} the
 * item is dropped and counted. Lock-free: an atomic size check, then a lock-free queue.
 */
public final class BoundedQueue<T> {

  private final ConcurrentLinkedQueue<T> items = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  private final LongAdder dropped = new LongAdder();
  private final int capacity;

  public BoundedQueue(int capacity) {
    this.capacity = capacity;
  }

  /** Queues {@code item}, or drops and counts it when the queue is full; answers whether it was queued. */
  public boolean offer(T item) {
    if (size.incrementAndGet() > capacity) {
      size.decrementAndGet();
      dropped.increment();
      return false;
    }
    items.add(item);
    return true;
  }

  /** Takes up to {@code max} items, oldest first. */
  public List<T> poll(int max) {
    List<T> out = new ArrayList<>(Math.min(max, Math.max(0, size.get())));
    T item;
    while (out.size() < max && (item = items.poll()) != null) {
      out.add(item);
      size.decrementAndGet();
    }
    return out;
  }

  public int size() {
    return size.get();
  }

  /** Items dropped because the queue was full, since it was made. */
  public long dropped() {
    return dropped.sum();
  }
}
