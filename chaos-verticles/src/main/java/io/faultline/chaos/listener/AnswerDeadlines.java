package io.faultline.chaos.listener;

import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The route timeouts of one verticle's exchanges with HTTP upstreams: an exchange whose upstream has not
 * answered (its head) within its timeout is handed to its {@code onTimeout}, which answers 504. As with
 * Vert.x's own request timeout, which this replaces, an answer's body is never cut for its silences: an
 * event stream may wait longer than any timeout between two events.
 *
 * <p>A Vert.x timer per exchange cost a scheduled task and a map entry, set and cancelled (3.5% of HTTP's
 * plain path's CPU in the bench's profile). Here the exchanges of one timeout value are a list in the order
 * they started, so the first one's deadline is the earliest: starting and ending an exchange are pointer
 * moves, and one timer per list is due at its first exchange's deadline. When it fires it times out the
 * exchanges whose deadlines have passed and sets itself to the new first one's. An exchange added later has
 * a later deadline, so a pending timer is never late. Used on the verticle's event loop only.
 */
public final class AnswerDeadlines {

  private final Vertx vertx;
  private final Map<Long, Lane> lanes = new HashMap<>();
  private Lane lastLane; // the lane of the last exchange watched: nearly always the next one's too

  public AnswerDeadlines(Vertx vertx) {
    this.vertx = vertx;
  }

  /**
   * Starts watching an exchange whose upstream must answer within {@code timeoutMs}, until {@link Watch#done}
   * (no deadline when it is not positive: answers null).
   */
  public Watch watch(long timeoutMs, Runnable onTimeout) {
    if (timeoutMs <= 0) {
      return null;
    }
    Lane lane = lastLane;
    if (lane == null || lane.timeoutMs != timeoutMs) {
      lane = lanes.computeIfAbsent(timeoutMs, Lane::new);
      lastLane = lane;
    }
    Watch watch = new Watch(onTimeout);
    lane.append(watch);
    return watch;
  }

  /** One exchange being watched. */
  public static final class Watch {

    private final Runnable onTimeout;
    private long startedNanos = System.nanoTime();
    private Lane lane;
    private Watch before;
    private Watch after;

    private Watch(Runnable onTimeout) {
      this.onTimeout = onTimeout;
    }

    /**
     * The request made progress (a piece of its body went upstream): its deadline starts again from now, so the
     * time a client takes to upload is not the upstream's. Moved to its lane's end, which keeps the lane in
     * deadline order. Nothing once done.
     */
    public void restart() {
      Lane in = lane;
      if (in != null) {
        in.unlink(this);
        startedNanos = System.nanoTime();
        in.append(this);
      }
    }

    /** The answer came (or the exchange failed): no deadline any more. Can be called more than once. */
    public void done() {
      if (lane != null) {
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
      watch.lane = this;
      watch.before = last;
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
      watch.lane = null;
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
      while (first != null && now - first.startedNanos >= timeoutNanos) {
        Watch expired = first;
        unlink(expired);
        expired.onTimeout.run();
      }
      if (first != null && !timerSet) {
        setTimer(first.startedNanos + timeoutNanos - now);
      }
    }
  }
}
