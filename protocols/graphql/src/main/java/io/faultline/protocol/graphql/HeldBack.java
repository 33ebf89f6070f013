package io.faultline.protocol.graphql;

import io.faultline.chaos.listener.DrainWatch;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketBase;

/**
 * One direction of a subscription socket's back-pressure: while the sink's write queue is full the source is not
 * read, so a client that stops reading leaves the service's events in the service instead of piling them up in the
 * gateway's memory. Vert.x holds what the paused source had read already; an action that must come after it (the
 * close it sent) waits until the source is read again. A sink that takes nothing for the send timeout is reported.
 *
 * <p>Used on one event loop, the relay's.
 */
final class HeldBack {

  private final Vertx vertx;
  private final WebSocketBase source;
  private final WebSocketBase sink;
  private final DrainWatch drains;
  private boolean paused;
  /** A close went to the sink: nothing more is written to it (RFC 6455 5.5.1). */
  private boolean ended;
  private Runnable afterSource;

  HeldBack(Vertx vertx, WebSocketBase source, WebSocketBase sink, long sendTimeoutMs, Runnable stalled) {
    this.vertx = vertx;
    this.source = source;
    this.sink = sink;
    this.drains = new DrainWatch(vertx, sink, sendTimeoutMs, stalled);
  }

  /** After a write to the sink: pauses the source while the sink's write queue is full. */
  void afterWrite() {
    if (paused || sink.isClosed() || !sink.writeQueueFull()) {
      return;
    }
    paused = true;
    source.pause();
    drains.whenDrained(this::release);
  }

  /** Writes {@code message} to the sink unless it has closed or was sent its close, then {@link #afterWrite}. */
  void write(Runnable message) {
    if (!ended && !sink.isClosed()) {
      message.run();
      afterWrite();
    }
  }

  /** Runs {@code action} once what the source read before now has been handed over: at once, unless it is paused. */
  void afterSource(Runnable action) {
    Runnable before = afterSource;
    afterSource = before == null ? action : () -> {
      before.run();
      action.run();
    };
    runAfterSource();
  }

  /**
   * The sink was sent its close: nothing more is written to it (RFC 6455 5.5.1; 89 events of a burst followed a drain's
   * 1001), and the source is read on, what it sends dropped, so its own close is seen.
   */
  void ended() {
    ended = true;
    release();
  }

  /** Nothing is held back any more (the sink is gone, or cut): the source is read on. */
  void stop() {
    drains.stop();
    release();
  }

  private void release() {
    if (!paused) {
      return;
    }
    paused = false;
    source.resume();
    if (afterSource != null) {
      vertx.runOnContext(v -> runAfterSource()); // after the turn in which the resumed source hands over what it held
    }
  }

  private void runAfterSource() {
    if (afterSource != null && !paused) {
      Runnable action = afterSource;
      afterSource = null;
      action.run();
    }
  }
}
