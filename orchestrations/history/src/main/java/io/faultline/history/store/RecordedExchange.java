package io.faultline.history.store;

import io.faultline.chaos.event.ExchangeRecord;

/**
 * An exchange the flight recorder kept, with the id its node gave it when it was kept: a batch written
 * again after a lost answer carries the same ids, and the store keeps each exchange once.
 */
public record RecordedExchange(String id, ExchangeRecord exchange) {

  /** The longest path and operation name the store keeps, in characters. */
  public static final int PATH_CHARS = 2048;
  public static final int OPERATION_CHARS = 256;

  /**
   * {@code exchange} kept: its path and operation cut to what the store keeps as it is queued. Held whole until written,
   * 50,000 queued records of 8 KiB paths (a database out for the writer's 5 minutes of retries) held 400 MB of heap for
   * bytes never stored.
   */
  public static RecordedExchange kept(String id, ExchangeRecord r) {
    boolean longPath = r.path() != null && r.path().length() > PATH_CHARS;
    boolean longOperation = r.operation() != null && r.operation().length() > OPERATION_CHARS;
    return new RecordedExchange(id, !longPath && !longOperation ? r : new ExchangeRecord(r.endedAtMs(), r.listener(), r.protocol(),
        r.route(), r.method(), longPath ? r.path().substring(0, PATH_CHARS) : r.path(),
        longOperation ? r.operation().substring(0, OPERATION_CHARS) : r.operation(), r.status(), r.outcome(), r.faults(),
        r.durationNanos(), r.injectedDelayMs(), r.traceId()));
  }
}
