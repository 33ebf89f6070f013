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
  /** Of a body of unknown length: what is held until its first {@link #window} bytes or its end are in (null: none). */
  private Buffer held;
  private final long window;
  private final double fraction;
  /** The cut is this stream's end (its end handler runs, not {@code onCut}): see {@link #endingAtCut()}. */
  private boolean endsAtCut;
  private Handler<Void> endHandler;
  private boolean endSent;

  public CutReadStream(ReadStream<Buffer> source, long limit, Runnable onCut) {
    this.source = source;
    this.remaining = limit;
    this.onCut = onCut;
    this.window = 0;
    this.fraction = 0;
  }

  private CutReadStream(ReadStream<Buffer> source, long window, double fraction, Runnable onCut) {
    this.source = source;
    this.onCut = onCut;
    this.held = Buffer.buffer();
    this.window = window;
    this.fraction = fraction;
  }

  /**
   * For a body of unknown length (chunked): holds its first {@code window} bytes, then passes {@code fraction}
   * of them and cuts; a body that ends sooner passes {@code fraction} of its own length and is cut there, so a
   * small chunked body is cut where one with a Content-Length would be. At most {@code window} bytes wait.
   */
  public static CutReadStream ofUnknownLength(ReadStream<Buffer> source, long window, double fraction, Runnable onCut) {
    return new CutReadStream(source, window, fraction, onCut);
  }

  /**
   * This stream, ending where it is cut: its end handler runs there, and {@code onCut} never does. For a reader that
   * passes the bytes on at its own pace (a bandwidth limit's), which makes the cut at its own end, once the bytes
   * before it have gone: cut under the pacer, an answer of unknown length filled its window at the limit's rate and
   * then sent its share at once.
   */
  public CutReadStream endingAtCut() {
    endsAtCut = true;
    return this;
  }

  @Override
  public CutReadStream handler(Handler<Buffer> handler) {
    this.handler = handler;
    if (handler == null) {
      source.handler(null);
      return this;
    }
    if (held == null && remaining <= 0) {
      doCut();
      return this;
    }
    if (held != null) {
      source.handler(buffer -> {
        if (!cut) {
          held.appendBuffer(buffer);
          if (held.length() > window) {
            release((long) (window * fraction));
          } else {
            // nothing went to the reader, whose demand this buffer took (a pacer asks one at a time): the next is asked for
            // here, up to the window
            source.fetch(1);
          }
        }
      });
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
    this.endHandler = handler;
    if (cut) {
      ended();
    }
    source.endHandler(v -> {
      if (cut) {
        return;
      }
      if (held != null) {
        release((long) (held.length() * fraction));
      } else {
        doCut();
      }
    });
    return this;
  }

  /** Passes the first {@code length} bytes held, and cuts. */
  private void release(long length) {
    Buffer head = held.slice(0, (int) Math.min(length, held.length()));
    held = null;
    if (head.length() > 0 && handler != null) {
      handler.handle(head);
    }
    doCut();
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
    if (endsAtCut) {
      ended();
    } else {
      onCut.run();
    }
  }

  private void ended() {
    if (endsAtCut && !endSent && endHandler != null) {
      endSent = true;
      endHandler.handle(null);
    }
  }
}
