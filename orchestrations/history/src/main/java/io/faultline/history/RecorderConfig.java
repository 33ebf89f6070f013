package io.faultline.history;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.faultline.chaos.config.ChaosConfigException;

/**
 * The {@code recorder:} section: the flight recorder of reference 001. When {@code enabled} (the
 * default), every exchange a fault touched is recorded, and a {@code sample_rate} share (0..1) of the
 * others too (chosen as they start, spread evenly over the node's exchanges). Records go to the history database, or to their
 * own SQLite file {@code db} (reference 001's {@code --recorder-db}), through a queue of
 * {@code queue_size}: when traffic outruns the database, records are dropped and counted, never waited for.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RecorderConfig(Boolean enabled, String db, Double sampleRate, Integer queueSize) {

  public RecorderConfig {
    enabled = enabled == null || enabled;
    sampleRate = sampleRate == null ? 0.0 : sampleRate;
    if (!(sampleRate >= 0 && sampleRate <= 1)) {
      throw new ChaosConfigException("sample_rate", "must be between 0 and 1, got " + sampleRate);
    }
    queueSize = HistoryConfig.atLeast("queue_size", queueSize, 50_000, 1);
    if (db != null && db.isBlank()) {
      throw new ChaosConfigException("db", "must be a file path, got an empty string");
    }
    if (db != null && (db.contains("://") || db.startsWith("jdbc:"))) {
      // it was made into an SQLite file of that name (a URL's password in a directory's name), with no PostgreSQL used
      throw new ChaosConfigException("db", "is the SQLite file the recorder keeps apart, a path: a shared PostgreSQL database is"
          + " history.url's (--history-url); got " + db.replaceAll("//[^/@]*@", "//...@"));
    }
  }

  public static RecorderConfig defaults() {
    return new RecorderConfig(null, null, null, null);
  }
}
