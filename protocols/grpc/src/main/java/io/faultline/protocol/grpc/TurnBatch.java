package io.faultline.protocol.grpc;

import io.faultline.chaos.listener.BackPressure;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.util.function.BooleanSupplier;

/**
 * The bytes relayed to one side of a call in one turn of the event loop, written as one: one read of a connection
 * brings many DATA frames, and each was an HTTP/2 write of its own (Netty merges the frames a flush sends, not the
 * writes). Flushes are batched already ({@code FlushBatching}); this batches the writes, and a stream's end goes with
 * the bytes that came with it (a unary call's message and its end were two writes upstream). The
 * bytes go at the end of the turn, or at once when {@link #MAX_BATCH_BYTES} are in.
 */
final class TurnBatch {

  /** A batch this large is written at once rather than at the end of the turn. */
  static final int MAX_BATCH_BYTES = 64 * 1024;

  private final Context context;
  private final WriteStream<Buffer> to;
  /** Whether {@link #to} takes nothing more (a client's response ended or closed): what is pending is let go. */
  private final BooleanSupplier gone;
  private final ReadStream<?> source;
  private final Handler<Void> flushTask = v -> flush();
  private Buffer pending;
  /** Whether {@link #pending} is the batch's own buffer (else it is the one buffer added this turn, as it came). */
  private boolean owned;

  /** {@code source} is paused while {@code to} cannot take more. */
  TurnBatch(Context context, WriteStream<Buffer> to, BooleanSupplier gone, ReadStream<?> source) {
    this.context = context;
    this.to = to;
    this.gone = gone;
    this.source = source;
  }

  /** Towards a client's response, which takes nothing once it ended or closed. */
  static TurnBatch toClient(Context context, HttpServerResponse http, ReadStream<?> source) {
    return new TurnBatch(context, http, () -> http.ended() || http.closed(), source);
  }

  /** Adds {@code bytes}, written as they are when nothing else joins them this turn (no copy). */
  void add(Buffer bytes) {
    if (pending == null) {
      pending = bytes;
      owned = false;
      context.runOnContext(flushTask);
    } else {
      appendable(bytes.length()).appendBuffer(bytes);
    }
    full();
  }

  /**
   * The batch's buffer, to append about {@code more} bytes to; {@link #full} once they are in. The first of a turn is
   * made here; a buffer added as it came is copied into one of the batch's own first.
   */
  Buffer appendable(int more) {
    if (pending == null) {
      pending = Buffer.buffer(Math.max(256, more));
      owned = true;
      context.runOnContext(flushTask);
    } else if (!owned) {
      pending = Buffer.buffer(Math.max(256, pending.length() + more)).appendBuffer(pending);
      owned = true;
    }
    return pending;
  }

  /** Writes the batch at once when it reached {@link #MAX_BATCH_BYTES}. */
  void full() {
    if (pending != null && pending.length() >= MAX_BATCH_BYTES) {
      flush();
    }
  }

  /** Writes what is pending now (before the response ends, or when the batch is full). */
  void flush() {
    Buffer out = pending;
    if (out == null) {
      return;
    }
    pending = null;
    if (gone.getAsBoolean()) {
      return;
    }
    to.write(out);
    BackPressure.pauseWhenFull(source, to);
  }

  /** Ends the stream, with what is pending in its last write. */
  void end() {
    Buffer out = pending;
    pending = null;
    if (gone.getAsBoolean()) {
      return;
    }
    if (out == null) {
      to.end();
    } else {
      to.end(out);
    }
  }
}
