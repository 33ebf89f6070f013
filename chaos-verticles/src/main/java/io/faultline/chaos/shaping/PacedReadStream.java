package io.faultline.chaos.shaping;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * A body stream paced at {@code bytesPerSecond}: buffers are cut into chunks of about 20 ms of
 * bandwidth and each chunk is released when its {@link Pacer} slot has passed (its last byte's time). At most
 * one source buffer is held: the source stays paused while its chunks drain, and the consumer's own
 * back-pressure ({@link #pause()}, {@link #fetch(long)}) is honoured, so nothing piles up in memory.
 * Waiting is a Vert.x timer, never a blocked thread.
 */
public final class PacedReadStream implements ReadStream<Buffer> {

  private static final int MAX_CHUNK = 16 * 1024;

  private final Vertx vertx;
  private final ReadStream<Buffer> source;
  private final LongSupplier nanoClock;
  private final Pacer pacer;
  private final int chunkSize;
  private final ArrayDeque<Buffer> pending = new ArrayDeque<>();
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  private long demand = Long.MAX_VALUE;
  private long headDueNanos;
  private boolean headBooked;
  private long timerId = -1;
  private boolean sourceEnded;
  private boolean ended;
  private boolean draining;
  private boolean awaitingSource;

  public PacedReadStream(Vertx vertx, ReadStream<Buffer> source, long bytesPerSecond) {
    this(vertx, source, bytesPerSecond, System::nanoTime);
  }

  /** {@code nanoClock} is the pacer's clock; waiting is a Vert.x timer, so it should keep real time. */
  public PacedReadStream(Vertx vertx, ReadStream<Buffer> source, long bytesPerSecond, LongSupplier nanoClock) {
    this(vertx, source, new Pacer(bytesPerSecond, nanoClock), nanoClock);
  }

  /** Paced by {@code pacer} (an exchange's: it stops pacing when chaos is switched off); {@code nanoClock} is its clock. */
  public PacedReadStream(Vertx vertx, ReadStream<Buffer> source, Pacer pacer, LongSupplier nanoClock) {
    this.vertx = vertx;
    this.source = source;
    this.nanoClock = nanoClock;
    this.pacer = pacer;
    this.chunkSize = (int) Math.max(1, Math.min(MAX_CHUNK, pacer.bytesPerSecond() / 50));
  }

  @Override
  public PacedReadStream handler(Handler<Buffer> handler) {
    this.handler = handler;
    if (handler == null) {
      cancelTimer();
      pending.clear();
      headBooked = false;
      source.handler(null);
      source.endHandler(null);
      return this;
    }
    source.exceptionHandler(this::onError);
    source.endHandler(v -> {
      sourceEnded = true;
      drain();
    });
    source.handler(this::onData);
    return this;
  }

  @Override
  public PacedReadStream exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  @Override
  public PacedReadStream endHandler(Handler<Void> handler) {
    this.endHandler = handler;
    return this;
  }

  @Override
  public PacedReadStream pause() {
    demand = 0;
    return this;
  }

  @Override
  public PacedReadStream resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public PacedReadStream fetch(long amount) {
    if (handler == null) {
      // nobody reads any more (e.g. the request was released): let the source drain
      source.resume();
      return this;
    }
    demand = demand + amount < 0 ? Long.MAX_VALUE : demand + amount;
    drain();
    return this;
  }

  private void onData(Buffer buffer) {
    awaitingSource = false;
    source.pause();
    if (!pacer.pacing()) { // chaos went off: the rest goes whole, at once
      pending.add(buffer);
      drain();
      return;
    }
    for (int offset = 0; offset < buffer.length(); offset += chunkSize) {
      pending.add(buffer.slice(offset, Math.min(buffer.length(), offset + chunkSize)));
    }
    drain();
  }

  private void onError(Throwable error) {
    cancelTimer();
    pending.clear(); // what was held is not sent after the failure, nor an end: a stream that failed never ends
    ended = true;
    if (exceptionHandler != null) {
      exceptionHandler.handle(error);
    }
  }

  private void drain() {
    if (draining) {
      return;
    }
    draining = true;
    try {
      while (demand > 0 && timerId < 0 && !ended) {
        if (pending.isEmpty()) {
          if (sourceEnded) {
            ended = true;
            if (endHandler != null) {
              endHandler.handle(null);
            }
          } else if (!awaitingSource && handler != null) {
            awaitingSource = true;
            source.fetch(1);
            if (!pending.isEmpty() || sourceEnded) {
              continue;
            }
          }
          return;
        }
        long now = nanoClock.getAsLong();
        if (!headBooked) {
          // a chunk goes when its last byte would have come over a link of the limit's bandwidth, not at the start of its
          // slot: a body of one chunk (1.5 KB at 100 kB/s) went at once, and every body ended one chunk early
          headDueNanos = pacer.bookWhole(pending.peek().length(), now);
          headBooked = true;
        }
        if (now < headDueNanos) {
          timerId = vertx.setTimer(Pacer.waitMs(headDueNanos - now), id -> {
            timerId = -1;
            drain();
          });
          return;
        }
        Buffer chunk = pending.poll();
        headBooked = false;
        if (demand != Long.MAX_VALUE) {
          demand--;
        }
        handler.handle(chunk);
      }
    } finally {
      draining = false;
    }
  }

  private void cancelTimer() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
  }
}
