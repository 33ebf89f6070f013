package io.faultline.history;

/**
 * The event-bus addresses of history, the flight recorder and analytics. The REST API
 * ({@code /api/history/*}, {@code /api/recorder/search}, {@code /api/analytics/*}), the GraphQL control
 * API and scripts on the TCP bridge all use these. Bodies are JSON; every field is optional unless said.
 */
public final class HistoryAddresses {

  /** {@code {name, tag, status, since, until, min_score, limit}} → {@code {runs: [{id, name, status, started_at, ended_at, resilience_score, tags, ...}]}}. */
  public static final String RUNS = "faultline.history.runs";
  /** {@code {id}} (required) → the run: its report, {@code resilience} (score and breakdown), tags, latency histogram. */
  public static final String RUN = "faultline.history.run";
  /** {@code {name (required), days}} → runs, success rate, average score, the score's slope per day with its 95% interval and direction. */
  public static final String TRENDS = "faultline.history.trends";
  /** {@code {ids: [a, b, ...] (2-10, required), rank_by}} → the runs side by side, per step, with deltas and tests. */
  public static final String COMPARE = "faultline.history.compare";
  /** → totals: runs by status, average score, orchestrations, changes, windows, recorded exchanges. */
  public static final String SUMMARY = "faultline.history.summary";
  /** {@code {format: csv|json}} and {@link #RUNS}' filters → {@code {format, content_type, body}}: every run (or those picked) with its figures. */
  public static final String EXPORT = "faultline.history.export";
  /** {@code {a, b (required: library entry names or {text}), samples, metric, alpha}} → the experiment, running. */
  public static final String AB = "faultline.history.ab";
  /** {@code {parameter, from, to, step | method: bisect, step_seconds, assertion (required), ...}} → the experiment, running. */
  public static final String BREAKING_POINT = "faultline.history.breaking_point";
  /** {@code {limit}} → {@code {experiments: [...]}}, newest first. */
  public static final String EXPERIMENTS = "faultline.history.experiments";
  /** {@code {id}} (required) → one experiment, with its result once done. */
  public static final String EXPERIMENT = "faultline.history.experiment";
  /**
   * {@code {id}} (without it: whichever runs on this node) → the experiment once it has stopped: status
   * {@code stopped}, its config put back, {@code result} what it found so far. 404 when none runs, 409 when
   * it has ended or runs on another node.
   */
  public static final String EXPERIMENT_STOP = "faultline.history.experiment.stop";
  /** {@code {since, until, limit}} → {@code {changes: [{at, node, version, address, source, detail, diff}]}}. */
  public static final String CHANGES = "faultline.history.changes";
  /** {@code {since, until, limit}} → {@code {windows: [{id, node, started_at, ended_at, source, config, metrics}]}}. */
  public static final String WINDOWS = "faultline.history.windows";
  /** Published cluster-wide by the node that recorded a run (the run's document), so nodes with their own database keep it too. */
  public static final String RUN_RECORDED = "faultline.history.run.recorded";

  /** Reference 001's search: {@code {status_code, path, fault, listener, since, until, limit}} → {@code {records: [...], count}}. */
  public static final String RECORDER_SEARCH = "faultline.recorder.search";

  /** {@code {since}} → {@code {anomalies: [...]}}: what the live detector flagged, newest first. */
  public static final String ANOMALIES = "faultline.analytics.anomalies";
  /** {@code {metric (required), minutes}} → the metric's recent samples, slope per minute with its interval, direction. */
  public static final String ANALYTICS_TRENDS = "faultline.analytics.trends";
  /** → {@code {score, components, factors, measured}}: the node's health now. */
  public static final String HEALTH = "faultline.analytics.health";
  /** → {@code {insights: [{metric, message, based_on, ...}]}}. */
  public static final String INSIGHTS = "faultline.analytics.insights";

  private HistoryAddresses() {
  }
}
