package io.faultline.chaos.listener;

import io.netty.channel.ChannelOutboundBuffer;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.internal.http.WebSocketInternal;

/**
 * Waits for a relayed WebSocket's write queue to drain, and reports the socket stalled when its peer has taken
 * nothing for the send timeout: a peer that stopped reading held both connections of its relay for ever (the relay
 * pauses the other side while it waits), where nginx cuts at its {@code send_timeout}, 60 s, counted from the last
 * write that got anywhere. So is this: Vert.x's drain comes only once its queue and Netty's are nearly empty, which a
 * slow reader of big messages may take minutes to reach while it reads all along, so the clock restarts whenever
 * the bytes Netty has yet to write change (they only go down as the peer takes some, and only go up once they
 * have gone down far enough for Vert.x to pass on more). It is looked at every quarter of the timeout while a
 * wait lasts; no timer is set for each wait of a fast reader.
 *
 * <p>Used on one event loop, the relay's.
 */
public final class DrainWatch {

  private final Vertx vertx;
  private final WebSocketBase socket;
  private final long sendTimeoutMs;
  private final Runnable stalled;
  private long timer = -1;
  /** Whether the socket's write queue is full and its drain not come yet. */
  private boolean waiting;
  /** When the peer last took something while waited on ({@link System#nanoTime()}). */
  private long lastProgress;
  /** Netty's bytes yet to write when last looked at. */
  private long pendingSeen;
  private boolean off;

  /** {@code stalled} runs when {@code socket}'s peer has taken nothing for {@code sendTimeoutMs} (0: never). */
  public DrainWatch(Vertx vertx, WebSocketBase socket, long sendTimeoutMs, Runnable stalled) {
    this.vertx = vertx;
    this.socket = socket;
    this.sendTimeoutMs = sendTimeoutMs;
    this.stalled = stalled;
  }

  /** The socket's write queue is full: {@code drained} runs once it has drained (the last one given, if asked again). */
  public void whenDrained(Runnable drained) {
    socket.drainHandler(v -> {
      waiting = false;
      drained.run();
    });
    if (waiting) {
      return; // still the same wait: its clock runs on
    }
    waiting = true;
    lastProgress = System.nanoTime();
    pendingSeen = pendingBytes();
    if (sendTimeoutMs > 0 && timer < 0 && !off) {
      checkIn(period());
    }
  }

  private long period() {
    return Math.max(1, sendTimeoutMs / 4);
  }

  private void checkIn(long ms) {
    timer = vertx.setTimer(Math.max(1, ms), id -> {
      timer = -1;
      if (off || !waiting || socket.isClosed()) {
        return;
      }
      long now = System.nanoTime();
      long pending = pendingBytes();
      if (pending != pendingSeen) {
        pendingSeen = pending;
        lastProgress = now;
      }
      long left = sendTimeoutMs - (now - lastProgress) / 1_000_000;
      if (left <= 0) {
        off = true;
        stalled.run();
      } else {
        checkIn(Math.min(period(), left));
      }
    });
  }

  /** The bytes Netty has yet to write to the socket (-1 when its channel is out of reach). */
  private long pendingBytes() {
    if (socket instanceof WebSocketInternal internal && internal.channelHandlerContext() != null) {
      ChannelOutboundBuffer buffer = internal.channelHandlerContext().channel().unsafe().outboundBuffer();
      return buffer == null ? -1 : buffer.totalPendingWriteBytes();
    }
    return -1;
  }

  /** Nothing is waited on any more (the relay stopped, or the socket closed): no check is left pending. */
  public void stop() {
    off = true;
    waiting = false;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}
