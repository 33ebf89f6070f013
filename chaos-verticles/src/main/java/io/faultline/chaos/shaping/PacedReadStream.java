package io.faultline.chaos.shaping;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.ArrayDeque;

/**
 * A body stream paced at {@code bytesPerSecond}: buffers are cut into chunks of about 20 ms of
 * bandwidth and each chunk is released only when the previous ones have "used" their time. At most
 * one source buffer is held: the source stays paused while its chunks drain, and the consumer's own
 * back-pressure ({@link #pause()}, {@link #fetch(long)}) is honoured, so nothing piles up in memory.
 * Waiting is a Vert.x timer, never a blocked thread.
 */
public final class PacedReadStream implements ReadStream<Buffer> {

  private static final int MAX_CHUNK = 16 * 1024;

  private final Vertx vertx;
  private final ReadStream<Buffer> source;
  private final long bytesPerSecond;
  private final int chunkSize;
  private final ArrayDeque<Buffer> pending = new ArrayDeque<>();
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  private long demand = Long.MAX_VALUE;
  private long nextSendNanos;
  private long timerId = -1;
  private boolean sourceEnded;
  private boolean ended;
  private boolean draining;
  private boolean awaitingSource;

  public PacedReadStream(Vertx vertx, ReadStream<Buffer> source, long bytesPerSecond) {
    this.vertx = vertx;
    this.source = source;
    this.bytesPerSecond = bytesPerSecond;
    this.chunkSize = (int) Math.max(1, Math.min(MAX_CHUNK, bytesPerSecond / 50));
  }

  @Override
  public PacedReadStream handler(Handler<Buffer> handler) {
    this.handler = handler;
    if (handler == null) {
      cancelTimer();
      pending.clear();
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
    for (int offset = 0; offset < buffer.length(); offset += chunkSize) {
      pending.add(buffer.slice(offset, Math.min(buffer.length(), offset + chunkSize)));
    }
    drain();
  }

  private void onError(Throwable error) {
    cancelTimer();
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
        long now = System.nanoTime();
        if (now < nextSendNanos) {
          long waitMs = Math.max(1, (nextSendNanos - now + 999_999) / 1_000_000);
          timerId = vertx.setTimer(waitMs, id -> {
            timerId = -1;
            drain();
          });
          return;
        }
        Buffer chunk = pending.poll();
        nextSendNanos = Math.max(now, nextSendNanos) + chunk.length() * 1_000_000_000L / bytesPerSecond;
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
