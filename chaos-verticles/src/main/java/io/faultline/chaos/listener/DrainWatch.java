package io.faultline.chaos.listener;

import io.netty.channel.Channel;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.internal.http.WebSocketInternal;

/**
 * Waits for a relayed WebSocket's write queue to drain, and reports the socket stalled when its peer has taken
 * nothing for the send timeout: a peer that stopped reading held both connections of its relay for ever (the relay
 * pauses the other side while it waits), where nginx cuts at its {@code send_timeout}, 60 s, counted from the last
 * write that got anywhere. So is this: Vert.x's drain comes only once its queue (16 messages) is down to 8, which a
 * slow reader of big messages may take minutes to reach while it reads all along, so the clock restarts whenever
 * Netty's outbound buffer has moved ({@link StallClock}). It is looked at every quarter of the timeout while a wait
 * lasts; no timer is set for each wait of a fast reader.
 *
 * <p>Used on one event loop, the relay's, which is the socket's.
 */
public final class DrainWatch {

  private final Vertx vertx;
  private final WebSocketBase socket;
  private final Runnable stalled;
  private long timer = -1;
  /** Waits while the socket's write queue is full and its drain not come yet. */
  private final StallClock clock;
  private boolean off;

  /** {@code stalled} runs when {@code socket}'s peer has taken nothing for {@code sendTimeoutMs} (0: never). */
  public DrainWatch(Vertx vertx, WebSocketBase socket, long sendTimeoutMs, Runnable stalled) {
    this.vertx = vertx;
    this.socket = socket;
    this.clock = new StallClock(sendTimeoutMs);
    this.stalled = stalled;
  }

  /** The socket's write queue is full: {@code drained} runs once it has drained (the last one given, if asked again). */
  public void whenDrained(Runnable drained) {
    socket.drainHandler(v -> {
      clock.end();
      drained.run();
    });
    if (!off && clock.begin(channel()) && clock.timed() && timer < 0) {
      checkIn(clock.period());
    }
  }

  private void checkIn(long ms) {
    timer = vertx.setTimer(Math.max(1, ms), id -> {
      timer = -1;
      if (off || socket.isClosed()) {
        clock.end();
        return;
      }
      long left = clock.left(channel(), System.nanoTime());
      if (left <= 0) {
        off = true;
        stalled.run();
      } else if (left != Long.MAX_VALUE) {
        checkIn(Math.min(clock.period(), left));
      }
    });
  }

  private Channel channel() {
    return socket instanceof WebSocketInternal internal && internal.channelHandlerContext() != null
        ? internal.channelHandlerContext().channel() : null;
  }

  /** Nothing is waited on any more (the relay stopped, or the socket closed): no check is left pending. */
  public void stop() {
    off = true;
    clock.end();
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}
