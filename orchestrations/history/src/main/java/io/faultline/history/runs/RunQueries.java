package io.faultline.history.runs;

import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.state.ChaosState;
import io.faultline.history.Params;
import io.faultline.history.stats.Regression;
import io.faultline.history.store.HistoryStore;
import io.faultline.history.store.RunFilter;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/** Lists, trends, summary and export over the runs history keeps (comparison: {@link Comparison}). */
public final class RunQueries {

  /** What an ended run's status can be: history keeps a run once it has ended. */
  static final List<String> STATUSES = List.of("succeeded", "failed", "stopped", "aborted");
  private static final double DAY_MS = 86_400_000.0;

  private final HistoryStore store;
  /** Where the flight recorder keeps exchanges: the same store, or its own ({@code --recorder-db}). */
  private final HistoryStore recorded;
  private final int exportMax;

  public RunQueries(HistoryStore store) {
    this(store, store);
  }

  public RunQueries(HistoryStore store, HistoryStore recorded) {
    this(store, recorded, EXPORT_MAX);
  }

  /** With an export of at most {@code exportMax} runs (tests: a few). */
  RunQueries(HistoryStore store, HistoryStore recorded, int exportMax) {
    this.store = store;
    this.recorded = recorded;
    this.exportMax = exportMax;
  }

  /** What each table keeps; the exchanges counted where the recorder writes them (the main store's said 101 of 2,283). */
  private Future<JsonObject> kept() {
    return recorded == store ? store.counts() : store.counts().compose(counts -> recorded.counts()
        .map(own -> counts.put("exchanges", own.getValue("exchanges"))));
  }

  /** {@code GET /api/history/runs}. */
  public Future<JsonObject> runs(JsonObject q) {
    return store.runs(filter(q, 100, 10_000)).map(rows -> new JsonObject().put("runs", new JsonArray(rows)).put("count", rows.size()));
  }

  /** The runs {@code q} asks for ({@code name, tag, status, since, until, min_score, limit}), each checked and named when refused. */
  static RunFilter filter(JsonObject q, int limit, int maxLimit) {
    Double minScore = Params.number(q, "min_score");
    if (minScore != null && (minScore < 0 || minScore > 100)) {
      throw new ChaosConfigException("min_score", "must be between 0 and 100, got " + minScore);
    }
    Long since = Params.time(q, "since");
    Long until = Params.time(q, "until");
    Params.window(since, until);
    if ("running".equals(q.getValue("status"))) {
      // it was taken, and matched nothing: a filter that can find nothing says why
      throw new ChaosConfigException("status", "history keeps a run once it has ended; the running one is "
          + "GET /api/chaos/orchestration/status (one of " + STATUSES + ")");
    }
    return new RunFilter(Params.text(q, "name", 256), Params.text(q, "tag", 200),
        Params.oneOf(q, "status", null, STATUSES), since, until, minScore, Params.integer(q, "limit", limit, 1, maxLimit));
  }

  /** {@code GET /api/history/runs/{id}}. */
  public Future<JsonObject> run(JsonObject q) {
    String id = Params.required(q, "id", 64);
    return store.run(id).map(run -> {
      if (run == null) {
        throw new ChaosState.NotFound("id", "no run " + id + " in history");
      }
      return run;
    });
  }

  /**
   * {@code GET /api/history/trends/{name}?days=30}: the runs of one orchestration in the last {@code days},
   * their success rate and average score, and the score's least-squares slope per day with its 95%
   * interval: {@code improving} or {@code worsening} when the whole interval is on one side of zero,
   * {@code no_significant_change} when it spans zero, {@code insufficient_data} below 3 scored runs. With
   * an interval, {@code fitted_line} is the fitted line at the first and the last scored run
   * ({@code [[epoch ms, score], [epoch ms, score]]}), for a chart to draw what the direction is read from.
   */
  public Future<JsonObject> trends(JsonObject q) {
    String name = Params.required(q, "name", 256);
    int days = Params.integer(q, "days", 30, 1, 3650);
    long since = System.currentTimeMillis() - days * 86_400_000L;
    // every run of it in the window, as export reads them (10,000 stopped the count and the success rate there)
    return store.runs(RunFilter.named(name, since, 100_000)).compose(rows -> io.faultline.history.store.SqlHistoryStore.offTheLoop(() -> {
      List<JsonObject> oldestFirst = new java.util.ArrayList<>(rows);
      java.util.Collections.reverse(oldestFirst);
      int succeeded = 0;
      JsonArray points = new JsonArray();
      double[] x = new double[oldestFirst.size()];
      double[] y = new double[oldestFirst.size()];
      int scored = 0;
      double sum = 0;
      for (JsonObject r : oldestFirst) {
        succeeded += "succeeded".equals(r.getString("status")) ? 1 : 0;
        points.add(new JsonObject().put("id", r.getString("id")).put("started_at", r.getLong("started_at"))
            .put("status", r.getString("status")).put("resilience_score", r.getDouble("resilience_score")));
        if (r.getDouble("resilience_score") != null) {
          x[scored] = (r.getLong("started_at") - since) / DAY_MS;
          y[scored] = r.getDouble("resilience_score");
          sum += y[scored++];
        }
      }
      Regression fit = Regression.fit(java.util.Arrays.copyOf(x, scored), java.util.Arrays.copyOf(y, scored), 0.05);
      JsonArray line = Double.isNaN(fit.low()) ? null : new JsonArray()
          .add(fitted(fit, x[0], since)).add(fitted(fit, x[scored - 1], since));
      String direction = switch (fit.direction()) {
        case "increasing" -> "improving";
        case "decreasing" -> "worsening";
        default -> fit.direction();
      };
      return new JsonObject().put("name", name).put("days", days).put("runs", oldestFirst.size())
          .put("success_rate", oldestFirst.isEmpty() ? null : 100.0 * succeeded / oldestFirst.size())
          .put("avg_resilience_score", scored == 0 ? null : tenth(sum / scored))
          .put("trend", new JsonObject().put("direction", direction).put("slope_per_day", finite(fit.shownSlope()))
              .put("interval_95", Double.isNaN(fit.low()) ? null : new JsonArray().add(fit.low()).add(fit.high()))
              .put("p_value", finite(fit.pValue())).put("scored_runs", scored).put("fitted_line", line)
              .put("method", "least-squares slope of resilience_score on days, 95% interval from Student's t with n-2 degrees of freedom"))
          .put("points", points);
    }));
  }

  /** An average of scores to the 0.1 each score is given to. */
  private static double tenth(double score) {
    return Math.round(score * 10) / 10.0;
  }

  /** The fitted score at {@code days} after {@code since}, as {@code [epoch ms, score]}. */
  private static JsonArray fitted(Regression fit, double days, long since) {
    return new JsonArray().add(since + Math.round(days * DAY_MS)).add(fit.intercept() + fit.slope() * days);
  }

  /**
   * {@code GET /api/history/summary}: counted by the database over every kept run (it read the newest 10,000 runs,
   * and said 10,000 runs, their statuses and scores, while more were kept).
   */
  public Future<JsonObject> summary(JsonObject q) {
    return store.runTotals().compose(groups -> kept().map(counts -> {
      List<JsonObject> newestFirst = new java.util.ArrayList<>(groups);
      newestFirst.sort(java.util.Comparator.comparingLong((JsonObject g) -> g.getLong("last_at")).reversed());
      JsonObject byStatus = new JsonObject();
      Map<String, double[]> byName = new java.util.LinkedHashMap<>(); // runs, scored, score sum
      long runs = 0;
      long scored = 0;
      double sum = 0;
      Long first = null;
      Long last = null;
      for (JsonObject g : newestFirst) {
        long n = g.getLong("runs");
        long s = g.getLong("scored");
        double scoreSum = g.getValue("score_sum") instanceof Number v ? v.doubleValue() : 0.0;
        byStatus.put(g.getString("status"), byStatus.getLong(g.getString("status"), 0L) + n);
        double[] named = byName.computeIfAbsent(g.getString("name"), k -> new double[3]);
        named[0] += n;
        named[1] += s;
        named[2] += scoreSum;
        runs += n;
        scored += s;
        sum += scoreSum;
        first = first == null ? g.getLong("first_at") : Math.min(first, g.getLong("first_at"));
        last = last == null ? g.getLong("last_at") : Math.max(last, g.getLong("last_at"));
      }
      JsonArray orchestrations = new JsonArray();
      byName.forEach((name, n) -> orchestrations.add(new JsonObject().put("name", name).put("runs", (long) n[0])
          .put("avg_resilience_score", n[1] == 0 ? null : tenth(n[2] / n[1]))));
      return new JsonObject().put("runs", runs).put("by_status", byStatus)
          .put("avg_resilience_score", scored == 0 ? null : tenth(sum / scored))
          .put("first_run_at", first)
          .put("last_run_at", last)
          .put("orchestrations", orchestrations).put("kept", counts);
    }));
  }

  /**
   * {@code GET /api/history/export?format=csv|json}: every run (newest first) with its figures, or the runs
   * the same filters as {@link #runs} pick.
   */
  public Future<JsonObject> export(JsonObject q) {
    String format = Params.oneOf(q, "format", "json", List.of("csv", "json"));
    RunFilter asked = filter(q, exportMax, exportMax);
    // one more than is given: whether the export is the newest exportMax of more (kept by a max_runs above it), said so
    return store.runs(asked.withLimit(asked.limit() + 1)).compose(all -> io.faultline.history.store.SqlHistoryStore.offTheLoop(() -> {
      boolean truncated = all.size() > asked.limit();
      List<JsonObject> rows = truncated ? all.subList(0, asked.limit()) : all;
      JsonObject file = format.equals("csv")
          ? new JsonObject().put("format", "csv").put("content_type", "text/csv; charset=utf-8").put("body", Csv.runs(rows))
          : new JsonObject().put("format", "json").put("content_type", "application/json").put("body", (truncated
              ? new JsonObject().put("runs", new JsonArray(rows)).put("truncated", true).put("limit", asked.limit())
              : new JsonObject().put("runs", new JsonArray(rows))).encodePrettily());
      return truncated ? file.put("truncated", "the newest " + asked.limit() + " runs of more that match; narrow it with since and until")
          : file;
    }));
  }

  /** The most runs one export gives (the newest; more are said to be there). */
  static final int EXPORT_MAX = 100_000;

  static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }
}
