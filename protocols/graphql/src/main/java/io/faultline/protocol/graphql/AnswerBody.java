package io.faultline.protocol.graphql;

import io.faultline.chaos.listener.UpstreamChannel;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.ArrayDeque;

/**
 * An answer's body on an {@link UpstreamChannel} as a Vert.x stream, for the bandwidth pacer: the pieces come in as
 * copies (the pacer holds them past the read), and reading from the upstream stops while the reader asks for nothing
 * and starts again when it asks. What a read brought past a pause is held here. Once the last piece is in, the
 * connection is no longer this body's (it went back to its pool): the rest is handed on from here.
 */
final class AnswerBody implements ReadStream<Buffer> {

  private final UpstreamChannel channel;
  private final ArrayDeque<Buffer> held = new ArrayDeque<>();
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  private long demand = Long.MAX_VALUE;
  /** The last piece is in: the connection is not this body's any more. */
  private boolean complete;
  private boolean ended;
  private boolean delivering;

  AnswerBody(UpstreamChannel channel) {
    this.channel = channel;
  }

  /** A body held whole (an answer read whole, a request's body): no connection is read for it. */
  static AnswerBody whole(Buffer bytes) {
    AnswerBody body = new AnswerBody(null);
    body.data(bytes, true);
    return body;
  }

  /** A piece of the body came in ({@code last} when it is its end). */
  void data(Buffer bytes, boolean last) {
    if (bytes.length() > 0) {
      held.add(bytes);
    }
    complete |= last;
    deliver();
  }

  /** The connection broke before the body's end. */
  void fail(Throwable cause) {
    complete = true;
    ended = true; // a stream that failed never ends: the reader is told the failure only
    held.clear();
    if (exceptionHandler != null) {
      exceptionHandler.handle(cause);
    }
  }

  @Override
  public AnswerBody handler(Handler<Buffer> handler) {
    this.handler = handler;
    deliver();
    return this;
  }

  @Override
  public AnswerBody exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  @Override
  public AnswerBody endHandler(Handler<Void> handler) {
    this.endHandler = handler;
    deliver();
    return this;
  }

  @Override
  public AnswerBody pause() {
    demand = 0;
    if (!complete) {
      channel.reading(false);
    }
    return this;
  }

  @Override
  public AnswerBody resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public AnswerBody fetch(long amount) {
    demand = demand + amount < 0 ? Long.MAX_VALUE : demand + amount;
    deliver();
    return this;
  }

  private void deliver() {
    if (delivering || handler == null) {
      return;
    }
    delivering = true;
    try {
      while (demand > 0 && !held.isEmpty()) {
        if (demand != Long.MAX_VALUE) {
          demand--;
        }
        handler.handle(held.poll());
      }
      if (held.isEmpty() && complete && !ended && endHandler != null) {
        ended = true;
        endHandler.handle(null);
      }
    } finally {
      delivering = false;
    }
    if (!complete && demand > 0 && held.isEmpty()) {
      channel.reading(true);
    }
  }
}
