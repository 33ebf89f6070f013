package io.faultline.chaos.listener;

import io.netty.channel.Channel;

/**
 * The clock of a wait for a peer to take what is sent to it, which {@link SendTimeout} (a connection's) and
 * {@link DrainWatch} (a WebSocket relay side's) both keep: it counts from the last write that got anywhere, as
 * nginx's {@code send_timeout} does, so it restarts whenever Netty's outbound buffer has moved
 * ({@link OutboundProgress}) between two looks. Its owner looks every {@link #period()} while a wait lasts.
 *
 * <p>Used on the channel's event loop only.
 */
final class StallClock {

  private final long timeoutMs;
  private final OutboundProgress progress = new OutboundProgress();
  private boolean waiting;
  /** When the peer last took something while waited on ({@link System#nanoTime()}). */
  private long since;

  /** A clock of {@code timeoutMs} (0: it never runs out). */
  StallClock(long timeoutMs) {
    this.timeoutMs = timeoutMs;
  }

  /** Whether it can run out at all. */
  boolean timed() {
    return timeoutMs > 0;
  }

  /** How often an owner looks while a wait lasts: a quarter of the timeout. */
  long period() {
    return Math.max(1, timeoutMs / 4);
  }

  boolean waiting() {
    return waiting;
  }

  /** A wait for {@code channel}'s peer starts; false if one is already going on (its clock runs on). */
  boolean begin(Channel channel) {
    if (waiting) {
      return false;
    }
    waiting = true;
    if (timed()) {
      since = System.nanoTime();
      progress.lookAfterFlush(channel);
    }
    return true;
  }

  /** The wait is over (the peer took enough, or the connection ended). */
  void end() {
    waiting = false;
    progress.forget();
  }

  /**
   * How many ms the peer has left at {@code now}: the clock restarts first if {@code channel}'s outbound buffer
   * has moved since the last look. {@link Long#MAX_VALUE} when nothing is waited on, or the clock is untimed.
   */
  long left(Channel channel, long now) {
    if (!waiting || !timed()) {
      progress.forget();
      return Long.MAX_VALUE;
    }
    if (progress.moved(channel)) {
      since = now;
    }
    return timeoutMs - (now - since) / 1_000_000;
  }
}
