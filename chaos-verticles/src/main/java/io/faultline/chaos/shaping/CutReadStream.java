package io.faultline.chaos.shaping;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * A body stream that passes the first {@code limit} bytes of its source and then, instead of ending,
 * calls {@code onCut} (which drops the connection). Used for partial responses and packet loss.
 */
public final class CutReadStream implements ReadStream<Buffer> {

  private final ReadStream<Buffer> source;
  private final Runnable onCut;
  private long remaining;
  private boolean cut;
  private Handler<Buffer> handler;

  public CutReadStream(ReadStream<Buffer> source, long limit, Runnable onCut) {
    this.source = source;
    this.remaining = limit;
    this.onCut = onCut;
  }

  @Override
  public CutReadStream handler(Handler<Buffer> handler) {
    this.handler = handler;
    if (handler == null) {
      source.handler(null);
      return this;
    }
    if (remaining <= 0) {
      doCut();
      return this;
    }
    source.handler(buffer -> {
      if (cut) {
        return;
      }
      if (buffer.length() >= remaining) {
        Buffer head = buffer.slice(0, (int) remaining);
        remaining = 0;
        if (head.length() > 0) {
          this.handler.handle(head);
        }
        doCut();
      } else {
        remaining -= buffer.length();
        this.handler.handle(buffer);
      }
    });
    return this;
  }

  @Override
  public CutReadStream exceptionHandler(Handler<Throwable> handler) {
    source.exceptionHandler(handler);
    return this;
  }

  @Override
  public CutReadStream endHandler(Handler<Void> handler) {
    source.endHandler(v -> {
      if (!cut) {
        doCut();
      }
    });
    return this;
  }

  @Override
  public CutReadStream pause() {
    source.pause();
    return this;
  }

  @Override
  public CutReadStream resume() {
    source.resume();
    return this;
  }

  @Override
  public CutReadStream fetch(long amount) {
    source.fetch(amount);
    return this;
  }

  private void doCut() {
    cut = true;
    source.pause();
    onCut.run();
  }
}
