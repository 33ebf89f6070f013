package io.faultline.chaos.shaping;

import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Paces bytes at {@code bytesPerSecond} on an ideal timeline: each booking takes the next slot of that
 * timeline, not "now plus its time". A sender that comes a little late (a timer fires a millisecond
 * after its slot, a source is slow to deliver) therefore catches up instead of losing that time, so the
 * rate holds exactly over a transfer; one that fell further behind than {@link #CATCH_UP_NANOS} (an idle
 * stream) restarts from now, so no large burst follows a pause. Every protocol paces with it: HTTP bodies
 * ({@link PacedReadStream}), gRPC frames, WebSocket frames. Used by one stream on one event loop.
 */
public final class Pacer {

  /** How far behind its timeline a stream may fall and still catch up (so at most this much bandwidth comes as a burst). */
  public static final long CATCH_UP_NANOS = 50_000_000L;

  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final long bytesPerSecond;
  private final LongSupplier nanoClock;
  private final BooleanSupplier pacing;
  private long next;
  private long remainder;
  /** Whether the last booking was paced. */
  private boolean paced;

  public Pacer(long bytesPerSecond, LongSupplier nanoClock) {
    this(bytesPerSecond, nanoClock, () -> true);
  }

  /**
   * {@code pacing} is asked at each booking: once it is false (chaos switched off, the kill switch), bytes
   * go at once, so a transfer throttled when chaos went off goes on at full speed within one chunk's wait.
   */
  public Pacer(long bytesPerSecond, LongSupplier nanoClock, BooleanSupplier pacing) {
    this.pacing = pacing;
    if (bytesPerSecond <= 0) {
      throw new IllegalArgumentException("bytesPerSecond must be positive: " + bytesPerSecond);
    }
    this.bytesPerSecond = bytesPerSecond;
    this.nanoClock = nanoClock;
    this.next = nanoClock.getAsLong();
  }

  /**
   * Books {@code bytes} to go no earlier than {@code earliestNanos} (a {@code nanoClock} time): returns
   * when they may go, which is in the past or now when they may go at once.
   */
  public long book(long bytes, long earliestNanos) {
    long now = nanoClock.getAsLong();
    paced = pacing.getAsBoolean();
    if (!paced) {
      next = now;
      remainder = 0;
      // at once: the caller's own time, not this fresh reading, a moment later than the caller's "now",
      // which made every chunk wait a timer's millisecond (a throttled transfer crawled on after the kill switch)
      return earliestNanos;
    }
    long start = Math.max(next, earliestNanos > now ? earliestNanos : now - CATCH_UP_NANOS);
    long scaled = bytes * NANOS_PER_SECOND + remainder;
    next = start + scaled / bytesPerSecond;
    remainder = scaled % bytesPerSecond;
    return start;
  }

  /**
   * Books {@code bytes} that go as one piece (a whole gRPC message, a WebSocket frame), no earlier than
   * {@code earliestNanos}: answers when the last of them has gone at the limit. A client takes such a piece
   * only whole, so delivering it then is what it would see on a link of that bandwidth; delivering it at
   * the start of its slot let a single message (a unary call's answer) through at full speed.
   */
  public long bookWhole(long bytes, long earliestNanos) {
    long start = book(bytes, earliestNanos);
    return paced ? Math.max(start, next) : start;
  }

  /** Whether bytes are paced now (false once chaos is switched off): a stream need not slice what it passes on. */
  public boolean pacing() {
    return pacing.getAsBoolean();
  }

  /** As {@link #bookWhole} from now: how many ms until the piece is whole (0: now), rounded up. */
  public long wholeDelayMs(long bytes) {
    return wholeDelayMs(bytes, 0);
  }

  /**
   * As {@link #wholeDelayMs(long)} for a piece held {@code afterMs} before it may go (a per-message delay): its time at
   * the rate counts from the end of that hold. Counted from now, the held time was idle time, caught up by the next
   * piece, so a delayed stream went up to 50 ms a message faster than the limit.
   */
  public long wholeDelayMs(long bytes, long afterMs) {
    long now = nanoClock.getAsLong();
    return waitMs(bookWhole(bytes, now + afterMs * 1_000_000L) - now);
  }

  public long bytesPerSecond() {
    return bytesPerSecond;
  }

  /** {@code nanos} as whole milliseconds, rounded up (0 for none), so a timer never fires before its slot. */
  public static long waitMs(long nanos) {
    return nanos <= 0 ? 0 : (nanos + 999_999) / 1_000_000;
  }
}
