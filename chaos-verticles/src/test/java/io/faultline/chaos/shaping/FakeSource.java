package io.faultline.chaos.shaping;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.ArrayDeque;
import java.util.List;

/**
 * A body source that hands out the buffers it was given as the consumer asks (back-pressure honoured:
 * nothing while paused, one buffer per fetched unit), then ends; it records how much was asked of it.
 * Buffers are handed out on {@code context}, as a real stream's are.
 */
final class FakeSource implements ReadStream<Buffer> {

  private final Context context;
  private final ArrayDeque<Buffer> buffers;
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private long demand = Long.MAX_VALUE;
  private boolean emitting;
  private boolean ended;
  volatile int delivered;

  FakeSource(Context context, List<Buffer> buffers) {
    this.context = context;
    this.buffers = new ArrayDeque<>(buffers);
  }

  @Override
  public FakeSource handler(Handler<Buffer> handler) {
    this.handler = handler;
    context.runOnContext(v -> emit());
    return this;
  }

  @Override
  public FakeSource exceptionHandler(Handler<Throwable> handler) {
    return this;
  }

  @Override
  public FakeSource endHandler(Handler<Void> handler) {
    this.endHandler = handler;
    return this;
  }

  @Override
  public FakeSource pause() {
    demand = 0;
    return this;
  }

  @Override
  public FakeSource resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public FakeSource fetch(long amount) {
    demand = demand + amount < 0 ? Long.MAX_VALUE : demand + amount;
    context.runOnContext(v -> emit());
    return this;
  }

  /** True once everything was handed out and the end reported. */
  boolean ended() {
    return ended;
  }

  private void emit() {
    if (emitting) {
      return;
    }
    emitting = true;
    try {
      while (handler != null && demand > 0 && !buffers.isEmpty()) {
        if (demand != Long.MAX_VALUE) {
          demand--;
        }
        delivered++;
        handler.handle(buffers.poll());
      }
      if (buffers.isEmpty() && !ended && handler != null && demand > 0) {
        ended = true;
        if (endHandler != null) {
          endHandler.handle(null);
        }
      }
    } finally {
      emitting = false;
    }
  }
}
