package io.faultline.protocol.http;

import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;

/**
 * The route timeouts of one verticle's plain-path exchanges: an exchange whose upstream has sent nothing
 * for its timeout is handed to its {@code onTimeout} (which answers 504 or cuts the answer short).
 *
 * <p>A timer per exchange, set when it starts and moved at every chunk the upstream sends, cost a
 * scheduled task and a map entry each time (Vert.x's own idle timeout: 3.5% of the plain path's CPU in the
 * bench's profile). Here the exchanges of one timeout value are a list ordered by when their upstream was
 * last heard from, the least recent first: starting, hearing from and ending an exchange are pointer moves,
 * and one timer per list is due at its first exchange's deadline, the earliest of the list's. When it fires
 * it ends the exchanges whose deadlines have passed and sets itself to the new first one's deadline. Every
 * exchange added later has a later deadline, so a pending timer is never late. Used on the verticle's
 * event loop only.
 */
final class IdleDeadlines {

  private final Vertx vertx;
  private Lane lastLane; // the lane of the last exchange watched: nearly always the next one's too
  private final java.util.Map<Long, Lane> lanes = new java.util.HashMap<>();

  IdleDeadlines(Vertx vertx) {
    this.vertx = vertx;
  }

  /**
   * Starts watching an exchange whose upstream may stay silent for at most {@code timeoutMs} (none when
   * it is not positive: answers null).
   */
  Watch watch(long timeoutMs, Runnable onTimeout) {
    if (timeoutMs <= 0) {
      return null;
    }
    Lane lane = lastLane;
    if (lane == null || lane.timeoutMs != timeoutMs) {
      lane = lanes.computeIfAbsent(timeoutMs, Lane::new);
      lastLane = lane;
    }
    Watch watch = new Watch(lane, onTimeout);
    watch.heard();
    return watch;
  }

  /** One exchange being watched. */
  final class Watch {

    private final Lane lane;
    private final Runnable onTimeout;
    private Watch before;
    private Watch after;
    private long heardNanos;
    private boolean listed;

    private Watch(Lane lane, Runnable onTimeout) {
      this.lane = lane;
      this.onTimeout = onTimeout;
    }

    /** The upstream sent something (or the exchange starts): its deadline moves to a timeout from now. */
    void heard() {
      heardNanos = System.nanoTime();
      if (listed) {
        lane.unlink(this);
      }
      lane.append(this);
    }

    /** The exchange ended (or failed): no deadline any more. Can be called more than once. */
    void done() {
      if (listed) {
        lane.unlink(this);
      }
    }
  }

  private final class Lane {

    private final long timeoutMs;
    private final long timeoutNanos;
    private Watch first;
    private Watch last;
    private boolean timerSet;

    Lane(long timeoutMs) {
      this.timeoutMs = timeoutMs;
      this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    }

    void append(Watch watch) {
      watch.listed = true;
      watch.before = last;
      watch.after = null;
      if (last == null) {
        first = watch;
      } else {
        last.after = watch;
      }
      last = watch;
      if (!timerSet) {
        setTimer(timeoutNanos);
      }
    }

    void unlink(Watch watch) {
      watch.listed = false;
      if (watch.before == null) {
        first = watch.after;
      } else {
        watch.before.after = watch.after;
      }
      if (watch.after == null) {
        last = watch.before;
      } else {
        watch.after.before = watch.before;
      }
      watch.before = null;
      watch.after = null;
    }

    private void setTimer(long delayNanos) {
      timerSet = true;
      // rounded up: a timer a fraction of a millisecond early would only set itself again
      long delayMs = Math.max(1, (delayNanos + 999_999) / 1_000_000);
      vertx.setTimer(delayMs, id -> due());
    }

    private void due() {
      timerSet = false;
      long now = System.nanoTime();
      while (first != null && now - first.heardNanos >= timeoutNanos) {
        Watch expired = first;
        unlink(expired);
        expired.onTimeout.run();
      }
      if (first != null && !timerSet) {
        setTimer(first.heardNanos + timeoutNanos - now);
      }
    }
  }
}
