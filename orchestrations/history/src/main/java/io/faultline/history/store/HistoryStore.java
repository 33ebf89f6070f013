package io.faultline.history.store;

import io.faultline.chaos.event.ExchangeRecord;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Where history is kept: runs, chaos changes, chaos windows, recorded exchanges and experiments. One SQL
 * implementation ({@link SqlHistoryStore}) serves the embedded SQLite file and a shared PostgreSQL
 * database; both pass the same contract tests. Inserts are idempotent where a record has an identity
 * (a run, a change, a window), so a record delivered twice is kept once. Nobody calls the inserts on
 * the request path: they are fed from bounded queues ({@link Writer}).
 */
public interface HistoryStore {

  /** Runs: {@code id, name, status, mode, node, started_at, ended_at, resilience_score, request_count, error_count, error_rate, avg_latency, p95_latency, tags} (an array) and {@code document} (the whole run). */
  Future<Void> insertRuns(List<JsonObject> runs);

  /** Changes as {@code faultline.chaos.changed} carries them under {@code change}. */
  Future<Void> insertChanges(List<JsonObject> changes);

  /** Windows: {@code id, node, started_at, ended_at, source, config, metrics}. */
  Future<Void> insertWindows(List<JsonObject> windows);

  /** Exchanges the flight recorder kept, each with the node that saw it; one whose id is stored already is not stored again. */
  Future<Void> insertExchanges(String node, List<RecordedExchange> exchanges);

  /** Creates or replaces an experiment: {@code id, kind, status, started_at, ended_at, ...}. */
  Future<Void> putExperiment(JsonObject experiment);

  /** Run summaries (newest first) matching the filter. */
  Future<List<JsonObject>> runs(RunFilter filter);

  /** A run's whole document, or null. */
  Future<JsonObject> run(String id);

  Future<List<JsonObject>> exchanges(ExchangeFilter filter);

  Future<List<JsonObject>> changes(long since, long until, int limit);

  Future<List<JsonObject>> windows(long since, long until, int limit);

  Future<List<JsonObject>> experiments(int limit);

  /** An experiment, or null. */
  Future<JsonObject> experiment(String id);

  /** Counts of what is kept: {@code runs, changes, windows, exchanges, experiments}. */
  Future<JsonObject> counts();

  /**
   * Every kept run counted by orchestration and status: {@code name}, {@code status}, {@code runs}, {@code scored}
   * (runs with a score), {@code score_sum}, {@code first_at} and {@code last_at} (start times), one row per pair.
   */
  Future<List<JsonObject>> runTotals();

  /** Deletes the recorded exchanges older than the {@code keep}-th newest (ties at the edge stay); answers how many went. */
  Future<Long> trimExchanges(int keep);

  /** Deletes what retention no longer keeps; answers how many rows of each kind went. */
  Future<JsonObject> prune(Retention retention, long nowMs);

  Future<Void> close();
}
