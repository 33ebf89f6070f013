package io.faultline.history.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Drains one {@link BoundedQueue} into the store in batches: every {@code flushMs}, and at once again
 * while a full batch is waiting. One batch is in flight at a time, so the store sees a steady writer
 * and the queue, not the store, absorbs a burst (up to its capacity; past it records are dropped and
 * counted).
 *
 * <p>A batch the store cannot take now (the database is down or restarting: see
 * {@link Connections#worthRetrying}) is kept and tried again before anything newer, so records reach
 * the store in the order they came, after 0.5 s, then 1, 2, 4 and every 5 s, for up to
 * {@link #RETRY_FOR_MS}; meanwhile newer records wait in the queue (bounded: what does not fit is dropped
 * and counted). A batch still not written then, or one the database refuses for its content, is dropped,
 * logged and counted in {@link #abandoned()}.
 */
public final class Writer<T> {

  private static final Logger LOG = Logger.getLogger(Writer.class.getName());
  /** How long a batch is retried: an outage of a few minutes (a database restart, a fail-over) loses nothing. */
  public static final long RETRY_FOR_MS = 300_000;
  private static final long FIRST_RETRY_MS = 500;
  private static final long MAX_RETRY_MS = 5_000;

  private final Vertx vertx;
  private final String kind;
  private final BoundedQueue<T> queue;
  private final int batch;
  private final Function<List<T>, Future<Void>> sink;
  private final LongSupplier clock;
  private long timer = -1;
  private boolean writing;
  /** A stop writes what is left: the timer's batches, and those a finished batch chains, stop with it. */
  private boolean stopping;
  private long written;
  private volatile long abandoned;
  /** The batch that failed and is retried before anything newer, or null. */
  private List<T> pending;
  private int attempts;
  private long firstFailure;
  private long nextAttempt;
  private Future<Void> lastWrite = Future.succeededFuture();

  public Writer(Vertx vertx, String kind, BoundedQueue<T> queue, int batch, Function<List<T>, Future<Void>> sink) {
    this(vertx, kind, queue, batch, sink, System::currentTimeMillis);
  }

  Writer(Vertx vertx, String kind, BoundedQueue<T> queue, int batch, Function<List<T>, Future<Void>> sink, LongSupplier clock) {
    this.vertx = vertx;
    this.kind = kind;
    this.queue = queue;
    this.batch = batch;
    this.sink = sink;
    this.clock = clock;
  }

  /** Starts draining on the caller's context (a verticle's). */
  public void start(long flushMs) {
    timer = vertx.setPeriodic(flushMs, id -> drain());
  }

  /** Writes one batch (the failed one when its retry is due) if none is in flight; chains the next while a full batch waits. */
  public void drain() {
    if (writing || stopping) {
      return;
    }
    List<T> items;
    if (pending != null) {
      if (clock.getAsLong() < nextAttempt) {
        return;
      }
      items = pending;
    } else if (queue.size() > 0) {
      items = queue.poll(batch);
    } else {
      return;
    }
    writing = true;
    lastWrite = sink.apply(items).onComplete(ar -> {
      writing = false;
      if (ar.succeeded()) {
        written += items.size();
        if (pending != null) {
          int tries = attempts + 1;
          LOG.info(() -> "history: " + items.size() + " " + kind + " records written at attempt " + tries);
          pending = null;
        }
      } else {
        failed(items, ar.cause());
      }
      if (pending == null && queue.size() >= batch) {
        drain();
      }
    });
  }

  private void failed(List<T> items, Throwable cause) {
    long now = clock.getAsLong();
    if (pending == null) {
      pending = items;
      attempts = 0;
      firstFailure = now;
      if (Connections.worthRetrying(cause)) {
        LOG.warning(() -> "history: " + items.size() + " " + kind + " records not written yet, retrying for up to "
            + RETRY_FOR_MS / 1000 + " s: " + cause);
      }
    }
    attempts++;
    if (!Connections.worthRetrying(cause) || now - firstFailure >= RETRY_FOR_MS) {
      abandon(items, cause);
    } else {
      nextAttempt = now + Math.min(MAX_RETRY_MS, FIRST_RETRY_MS << Math.min(attempts - 1, 10));
    }
  }

  private void abandon(List<T> items, Throwable cause) {
    abandon(items, cause, attempts);
  }

  /** Drops {@code items} after {@code tries} attempts to write them, counted and logged. */
  private void abandon(List<T> items, Throwable cause, int tries) {
    abandoned += items.size();
    pending = null;
    LOG.warning(() -> "history: " + items.size() + " " + kind + " records dropped after " + tries + (tries == 1 ? " attempt" : " attempts")
        + " (faultline_history_dropped_total): " + cause);
  }

  /** How long {@link #stop} goes on writing what waits: a node that stops is not held up for ever by a slow database. */
  public static final long STOP_WRITES_MS = 10_000;

  /**
   * Stops the timer and writes everything that waits (the failed batch first, then the queue, batch by batch), for a
   * clean shutdown; what is not written within {@link #STOP_WRITES_MS}, or what the store refuses, is dropped, logged
   * and counted. It wrote at most five batches (2,500 records), and dropped the rest of the queue without a word. A
   * batch being written when it comes is waited for, and nothing else is written beside the stop's own batches.
   */
  public Future<Void> stop() {
    stopping = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    long deadline = clock.getAsLong() + STOP_WRITES_MS;
    return lastWrite.otherwiseEmpty().compose(v -> writeAll(deadline));
  }

  private Future<Void> writeAll(long deadline) {
    if (pending == null && queue.size() == 0) {
      return Future.succeededFuture();
    }
    if (clock.getAsLong() >= deadline) {
      List<T> left = new java.util.ArrayList<>(pending == null ? List.of() : pending);
      pending = null;
      left.addAll(queue.poll(queue.size()));
      abandon(left, new java.util.concurrent.TimeoutException("not written within " + STOP_WRITES_MS / 1000 + " s of the node stopping"), 0);
      return Future.succeededFuture();
    }
    List<T> items = pending != null ? pending : queue.poll(batch);
    pending = null;
    return sink.apply(items).onSuccess(w -> written += items.size())
        .recover(e -> {
          abandon(items, e, 1);
          return Future.succeededFuture();
        })
        .compose(v -> writeAll(deadline));
  }

  public long written() {
    return written;
  }

  /** Records dropped because their write failed for good (the queue counts those it had no room for). */
  public long abandoned() {
    return abandoned;
  }
}
