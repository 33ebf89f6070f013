package io.faultline.history.recorder;

import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.event.ExchangeRecord;
import io.faultline.history.store.BoundedQueue;
import io.faultline.history.store.RecordedExchange;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The flight recorder's ear on the request path: every exchange a fault touched, and one in
 * {@code round(1 / sampleRate)} of the others when sampling, is handed to a {@link BoundedQueue} and
 * the event loop moves on. When the database falls behind, the queue fills and further records are
 * dropped and counted ({@code faultline_history_dropped_total{kind="exchange"}}): traffic never waits
 * for the recorder. Each kept exchange gets an id, unique across nodes and restarts (a random prefix drawn
 * when the recorder is made, then a count), so a batch the writer sends again is stored once.
 */
public final class FlightRecorder implements ChaosListener {

  private final BoundedQueue<RecordedExchange> queue;
  private final long sampleEvery;
  private final AtomicLong untouched = new AtomicLong();
  private final String prefix = Long.toUnsignedString(new SecureRandom().nextLong(), 36) + "-";
  private final AtomicLong kept = new AtomicLong();

  public FlightRecorder(BoundedQueue<RecordedExchange> queue, double sampleRate) {
    this.queue = queue;
    this.sampleEvery = sampleRate <= 0 ? 0 : Math.max(1, Math.round(1 / sampleRate));
  }

  @Override
  public void exchangeCompleted(ExchangeRecord record) {
    if (record.faulted() || sampleEvery > 0 && untouched.getAndIncrement() % sampleEvery == 0) {
      queue.offer(new RecordedExchange(prefix + Long.toString(kept.getAndIncrement(), 36), record));
    }
  }

  @Override
  public boolean recordsEveryExchange() {
    return sampleEvery > 0;
  }

  public BoundedQueue<RecordedExchange> queue() {
    return queue;
  }
}
