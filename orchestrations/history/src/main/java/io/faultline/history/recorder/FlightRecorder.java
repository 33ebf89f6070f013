package io.faultline.history.recorder;

import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.event.ExchangeRecord;
import io.faultline.history.store.BoundedQueue;
import io.faultline.history.store.RecordedExchange;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The flight recorder's ear on the request path: every exchange a fault touched, and a {@code sampleRate}
 * share of the others, is handed to a {@link BoundedQueue} and the event loop moves on. When the database
 * falls behind, the queue fills and further records are dropped and counted
 * ({@code faultline_history_dropped_total{kind="exchange"}}): traffic never waits for the recorder. Each kept
 * exchange gets an id, unique across nodes and restarts (a random prefix drawn when the recorder is made, then
 * a count), so a batch the writer sends again is stored once.
 *
 * <p>Which exchanges are sampled is chosen as each starts ({@link #samples()}), so the rest keep the
 * listeners' plain paths. The choice follows a golden-ratio (Weyl) sequence over the node's exchanges: the
 * share kept is the rate asked for, within a few exchanges at any count, and spread with no period a client's
 * alternating calls could fall in step with (a plain "one in N" keeps only one call of an A-B-A-B client at
 * 0.5, and can give only 1, 1/2, 1/3...).
 */
public final class FlightRecorder implements ChaosListener {

  /** 2^64 divided by the golden ratio: successive multiples spread over the longs as evenly as any sequence can. */
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private final BoundedQueue<RecordedExchange> queue;
  /** The share of exchanges sampled, in units of 2^-53: 0 samples none, 2^53 every one. */
  private final long sampleLimit;
  private final AtomicLong started = new AtomicLong();
  private final String prefix = Long.toUnsignedString(new SecureRandom().nextLong(), 36) + "-";
  private final AtomicLong kept = new AtomicLong();

  public FlightRecorder(BoundedQueue<RecordedExchange> queue, double sampleRate) {
    this.queue = queue;
    this.sampleLimit = sampleRate <= 0 ? 0 : (long) (Math.min(1, sampleRate) * 0x1p53);
  }

  @Override
  public boolean samples() {
    if (sampleLimit == 0) {
      return false;
    }
    // the top 53 bits of the sequence's next value, read as a fraction of 1, fall below the rate
    return (started.getAndIncrement() * GOLDEN) >>> 11 < sampleLimit;
  }

  @Override
  public void exchangeCompleted(ExchangeRecord record) {
    // the count zero-padded, so a node's ids sort as they were kept (a search's order within one millisecond)
    String count = Long.toString(kept.getAndIncrement(), 36);
    queue.offer(RecordedExchange.kept(prefix + "0".repeat(Math.max(0, 13 - count.length())) + count, record));
  }

  public BoundedQueue<RecordedExchange> queue() {
    return queue;
  }
}
