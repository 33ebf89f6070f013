package io.faultline.history.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * Drains one {@link BoundedQueue} into the store in batches: every {@code flushMs}, and at once again
 * while a full batch is waiting. One batch is in flight at a time, so the store sees a steady writer
 * and the queue, not the store, absorbs a burst (up to its capacity; past it records are dropped and
 * counted). A batch the store refuses is logged and counted as failed, never retried.
 */
public final class Writer<T> {

  private static final Logger LOG = Logger.getLogger(Writer.class.getName());

  private final Vertx vertx;
  private final String kind;
  private final BoundedQueue<T> queue;
  private final int batch;
  private final Function<List<T>, Future<Void>> sink;
  private long timer = -1;
  private boolean writing;
  private long written;
  private long failed;
  private Future<Void> lastWrite = Future.succeededFuture();

  public Writer(Vertx vertx, String kind, BoundedQueue<T> queue, int batch, Function<List<T>, Future<Void>> sink) {
    this.vertx = vertx;
    this.kind = kind;
    this.queue = queue;
    this.batch = batch;
    this.sink = sink;
  }

  /** Starts draining on the caller's context (a verticle's). */
  public void start(long flushMs) {
    timer = vertx.setPeriodic(flushMs, id -> drain());
  }

  /** Writes one batch if none is in flight; chains the next while a full batch waits. */
  public void drain() {
    if (writing || queue.size() == 0) {
      return;
    }
    List<T> items = queue.poll(batch);
    writing = true;
    lastWrite = sink.apply(items).onComplete(ar -> {
      writing = false;
      if (ar.succeeded()) {
        written += items.size();
      } else {
        failed += items.size();
        LOG.warning(() -> "history: " + items.size() + " " + kind + " records not written: " + ar.cause());
      }
      if (queue.size() >= batch) {
        drain();
      }
    });
  }

  /** Stops the timer and writes what is queued (up to a few batches), for a clean shutdown. */
  public Future<Void> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    Future<Void> chain = lastWrite.otherwiseEmpty();
    for (int i = 0; i < 4 && queue.size() > 0; i++) {
      chain = chain.compose(v -> {
        List<T> items = queue.poll(batch);
        return items.isEmpty() ? Future.succeededFuture() : sink.apply(items).otherwiseEmpty();
      });
    }
    return chain;
  }

  public long written() {
    return written;
  }

  public long failed() {
    return failed;
  }
}
