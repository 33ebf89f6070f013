package io.faultline.chaos.listener;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketBase;

/**
 * Waits for a relayed WebSocket's write queue to drain, and reports the socket stalled when it has drained nothing
 * for the send timeout: a peer that stopped reading held both connections of its relay for ever (the relay pauses the
 * other side while it waits), where nginx cuts at its {@code send_timeout}, 60 s. One check is pending at a time,
 * re-armed only when it finds the socket still waited on, so a fast reader's many short waits set no timer each.
 *
 * <p>Used on one event loop, the relay's.
 */
public final class DrainWatch {

  private final Vertx vertx;
  private final WebSocketBase socket;
  private final long sendTimeoutMs;
  private final Runnable stalled;
  private long timer = -1;
  /** When the write queue last filled, while it has not drained since ({@link System#nanoTime()}; 0: not waiting). */
  private long waitingSince;
  private boolean off;

  /** {@code stalled} runs when {@code socket} has drained nothing for {@code sendTimeoutMs} (0: never). */
  public DrainWatch(Vertx vertx, WebSocketBase socket, long sendTimeoutMs, Runnable stalled) {
    this.vertx = vertx;
    this.socket = socket;
    this.sendTimeoutMs = sendTimeoutMs;
    this.stalled = stalled;
  }

  /** The socket's write queue is full: {@code drained} runs once it has drained. */
  public void whenDrained(Runnable drained) {
    waitingSince = System.nanoTime() | 1; // never 0
    socket.drainHandler(v -> {
      waitingSince = 0;
      drained.run();
    });
    if (sendTimeoutMs > 0 && timer < 0 && !off) {
      checkIn(sendTimeoutMs);
    }
  }

  private void checkIn(long ms) {
    timer = vertx.setTimer(Math.max(1, ms), id -> {
      timer = -1;
      if (off || waitingSince == 0 || socket.isClosed()) {
        return;
      }
      long waitedMs = (System.nanoTime() - waitingSince) / 1_000_000;
      if (waitedMs >= sendTimeoutMs) {
        off = true;
        stalled.run();
      } else {
        checkIn(sendTimeoutMs - waitedMs);
      }
    });
  }

  /** Nothing is waited on any more (the relay stopped, or the socket closed): no check is left pending. */
  public void stop() {
    off = true;
    waitingSince = 0;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}
