package io.faultline.history;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.history.store.Retention;

/**
 * The {@code history:} section. History is kept in {@code STATE_DIR/history.db} (SQLite) unless
 * {@code url} names a PostgreSQL database ({@code postgresql://USER:PASSWORD@HOST:PORT/DB}) that the
 * nodes of a cluster share. Rows older than {@code retention_days}, and beyond {@code max_runs} runs,
 * {@code max_changes} changes and {@code max_exchanges} recorded exchanges, are deleted hourly (the exchanges
 * also as they are written: {@link io.faultline.history.store.ExchangeCap}). Writes
 * go through queues of {@code queue_size} records, written {@code batch_size} at a time at least every
 * {@code flush_ms}; a full queue drops records and counts them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HistoryConfig(Boolean enabled, String url, Integer retentionDays, Integer maxRuns, Integer maxChanges,
    Integer maxExchanges, Integer queueSize, Integer batchSize, Long flushMs) {

  public HistoryConfig {
    enabled = enabled == null || enabled;
    if (url != null && url.isBlank()) {
      throw new ChaosConfigException("url", "must be a database URL (postgresql://USER:PASSWORD@HOST/DB or jdbc:sqlite:FILE);"
          + " leave it out for the node's own SQLite file");
    }
    if (url != null) {
      io.faultline.history.store.Databases.target(url, null, "history.db", "url"); // refuses what it cannot open
    }
    retentionDays = atLeast("retention_days", retentionDays, 90, 1);
    maxRuns = atLeast("max_runs", maxRuns, 10_000, 1);
    maxChanges = atLeast("max_changes", maxChanges, 100_000, 1);
    maxExchanges = atLeast("max_exchanges", maxExchanges, 1_000_000, 1);
    queueSize = atLeast("queue_size", queueSize, 10_000, 1);
    batchSize = atLeast("batch_size", batchSize, 500, 1);
    if (batchSize > MAX_BATCH) { // a batch is one INSERT of this many rows at most: written whole or not at all
      throw new ChaosConfigException("batch_size", "must be between 1 and " + MAX_BATCH + " (one INSERT's rows), got " + batchSize);
    }
    flushMs = flushMs == null ? 200 : flushMs;
    if (flushMs < 10 || flushMs > MAX_FLUSH_MS) { // checked as a long: 4294967306 must not wrap to 10
      throw new ChaosConfigException("flush_ms", "must be between 10 and " + MAX_FLUSH_MS + " (1 h), got " + flushMs);
    }
  }

  /** The most records one write takes: one statement's rows, so a batch is written whole or not at all. */
  static final int MAX_BATCH = 500;

  /** The longest wait between two writes of the queues: an hour. */
  private static final long MAX_FLUSH_MS = 3_600_000;

  public static HistoryConfig defaults() {
    return new HistoryConfig(null, null, null, null, null, null, null, null, null);
  }

  public Retention retention() {
    return new Retention(retentionDays, maxRuns, maxChanges, maxExchanges);
  }

  static int atLeast(String field, Integer value, int otherwise, int min) {
    int v = value == null ? otherwise : value;
    if (v < min) {
      throw new ChaosConfigException(field, "must be at least " + min + ", got " + v);
    }
    return v;
  }
}
