package io.faultline.history.runs;

import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.state.ChaosState;
import io.faultline.history.Params;
import io.faultline.history.stats.ProportionTest;
import io.faultline.history.stats.RankTest;
import io.faultline.history.store.HistoryStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/history/compare?ids=a,b[,c]}: runs side by side, overall and per step (steps matched by
 * name and iteration), each figure with its delta from the first run; for each later run against the
 * first, a two-proportion z-test on error counts ({@link ProportionTest}) and a Mann–Whitney test on the
 * recorded latency distributions ({@link RankTest}), each with its p-value, or with a {@code reason} when
 * it could not be computed; and the runs ranked by {@code rank_by} (best first). A run or step that saw no
 * request has no error rate and no latencies (null), as in {@code /api/history/runs}.
 */
public final class Comparison {

  /** Rankable figures and whether more is better. */
  static final Map<String, Boolean> RANKABLE = Map.of("resilience_score", true, "error_rate", false, "p95_latency", false,
      "avg_latency", false, "duration_ms", false, "request_count", true, "error_count", false);
  private static final List<String> FIGURES = List.of("request_count", "error_count", "error_rate", "fault_count",
      "avg_latency", "p50_latency", "p95_latency", "p99_latency");

  private final HistoryStore store;

  public Comparison(HistoryStore store) {
    this.store = store;
  }

  public Future<JsonObject> compare(JsonObject q) {
    List<String> ids = ids(q.getValue("ids"));
    String rankBy = Params.oneOf(q, "rank_by", "resilience_score", List.copyOf(new java.util.TreeSet<>(RANKABLE.keySet())));
    List<Future<JsonObject>> loads = ids.stream().map(store::run).toList();
    return Future.all(loads).map(all -> {
      List<JsonObject> runs = new ArrayList<>();
      for (int i = 0; i < ids.size(); i++) {
        JsonObject run = loads.get(i).result();
        if (run == null) {
          throw new ChaosState.NotFound("ids", "no run " + ids.get(i) + " in history");
        }
        runs.add(run);
      }
      JsonObject first = overall(runs.get(0));
      JsonArray side = new JsonArray();
      JsonArray tests = new JsonArray();
      for (JsonObject run : runs) {
        JsonObject o = overall(run);
        side.add(o.put("delta", delta(first, o)));
        if (run != runs.get(0)) {
          tests.add(tests(runs.get(0), run));
        }
      }
      List<JsonObject> ranked = new ArrayList<>();
      side.forEach(o -> ranked.add((JsonObject) o));
      boolean higherBetter = RANKABLE.get(rankBy);
      Comparator<JsonObject> order = Comparator.comparing(o -> o.getDouble(rankBy), Comparator.nullsLast(
          higherBetter ? Comparator.<Double>reverseOrder() : Comparator.<Double>naturalOrder()));
      ranked.sort(order);
      return new JsonObject().put("runs", side).put("steps", steps(runs)).put("tests", tests)
          .put("ranking", new JsonObject().put("by", rankBy).put("higher_is_better", higherBetter)
              .put("ids", new JsonArray(ranked.stream().map(o -> o.getString("id")).toList())));
    });
  }

  static List<String> ids(Object value) {
    List<String> ids = new ArrayList<>();
    if (value instanceof JsonArray array) {
      array.forEach(v -> ids.add(String.valueOf(v)));
    } else if (value instanceof String s) {
      for (String part : s.split(",")) {
        if (!part.isBlank()) {
          ids.add(part.trim());
        }
      }
    }
    if (ids.size() < 2 || ids.size() > 10) {
      throw new ChaosConfigException("ids", "must name 2 to 10 runs (ids=a,b), got " + ids.size());
    }
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (String id : ids) {
      if (!seen.add(id)) {
        throw new ChaosConfigException("ids", "names run " + id + " twice: a run compared with itself shows no difference");
      }
    }
    return ids;
  }

  private static JsonObject overall(JsonObject run) {
    JsonObject metrics = run.getJsonObject("metrics", new JsonObject());
    JsonObject o = new JsonObject().put("id", run.getString("id")).put("name", run.getString("name"))
        .put("status", run.getString("status")).put("started_at", run.getLong("started_at"))
        .put("duration_ms", run.getValue("duration_ms") instanceof Number n ? figure("duration_ms", n) : null)
        .put("resilience_score", run.getDouble("resilience_score"));
    figures(metrics, o);
    return o;
  }

  /** Puts each of {@link #FIGURES} from {@code metrics} into {@code out}: null when absent, or when nothing was measured (RunFeed's rule). */
  private static void figures(JsonObject metrics, JsonObject out) {
    boolean measured = RunFeed.measured(metrics);
    for (String f : FIGURES) {
      out.put(f, metrics.getValue(f) instanceof Number n && (measured || !RunFeed.RATES.contains(f)) ? figure(f, n) : null);
    }
  }

  /** A count (and a duration in whole milliseconds) stays a whole number; the rest are measures. */
  private static Number figure(String field, Number n) {
    return field.endsWith("_count") || field.equals("duration_ms") ? (Number) n.longValue() : (Number) n.doubleValue();
  }

  private static JsonObject delta(JsonObject base, JsonObject other) {
    JsonObject d = new JsonObject();
    for (String f : other.fieldNames()) {
      if (other.getValue(f) instanceof Long v && base.getValue(f) instanceof Long b) {
        d.put(f, v - b);
      } else if (other.getValue(f) instanceof Double v && base.getValue(f) instanceof Double b) {
        d.put(f, v - b);
      }
    }
    return d;
  }

  /**
   * Each step (by name and iteration) with its figures in every run, and deltas from the first run: none
   * ({@code delta: null}) where the first run has no such step (they were taken from whichever run had it first).
   */
  private static JsonArray steps(List<JsonObject> runs) {
    Map<String, JsonObject> byStep = new LinkedHashMap<>();
    String first = runs.isEmpty() ? null : runs.get(0).getString("id");
    for (JsonObject run : runs) {
      for (Object o : run.getJsonArray("steps", new JsonArray())) {
        JsonObject step = (JsonObject) o;
        String key = step.getString("name") + "#" + step.getInteger("iteration", 0);
        JsonObject entry = byStep.computeIfAbsent(key, k -> new JsonObject().put("name", step.getString("name"))
            .put("iteration", step.getInteger("iteration", 0)).put("runs", new JsonArray()));
        JsonObject figures = new JsonObject().put("id", run.getString("id")).put("status", step.getString("status"));
        JsonObject m = step.getJsonObject("metrics", new JsonObject());
        figures(m, figures);
        JsonArray list = entry.getJsonArray("runs");
        JsonObject base = list.isEmpty() ? null : list.getJsonObject(0);
        figures.put("delta", base == null ? (run.getString("id").equals(first) ? new JsonObject() : null)
            : base.getString("id").equals(first) ? delta(base, figures) : null);
        list.add(figures);
      }
    }
    return new JsonArray(new ArrayList<>(byStep.values()));
  }

  private static JsonObject tests(JsonObject a, JsonObject b) {
    JsonObject ma = a.getJsonObject("metrics", new JsonObject());
    JsonObject mb = b.getJsonObject("metrics", new JsonObject());
    ProportionTest errors = ProportionTest.of(count(ma, "error_count"), count(ma, "request_count"),
        count(mb, "error_count"), count(mb, "request_count"));
    JsonObject out = new JsonObject().put("a", a.getString("id")).put("b", b.getString("id"));
    out.put("error_rate", new JsonObject().put("method", "two-proportion z-test (pooled), two-sided")
        .put("rate_a", RunQueries.finite(errors.rateA())).put("rate_b", RunQueries.finite(errors.rateB()))
        .put("z", RunQueries.finite(errors.z())).put("p_value", RunQueries.finite(errors.pValue()))
        .put("cohen_h", RunQueries.finite(errors.cohenH())).put("approximation_holds", errors.approximationHolds()));
    if (out.getJsonObject("error_rate").getValue("p_value") == null) {
      out.getJsonObject("error_rate").put("reason", "run " + (count(ma, "request_count") <= 0 ? a.getString("id") : b.getString("id"))
          + " saw no requests: it has no error rate to compare");
    }
    long[] ha = RunFeed.histogram(a);
    long[] hb = RunFeed.histogram(b);
    if (ha == null || hb == null) {
      out.put("latency", new JsonObject().put("method", "Mann-Whitney U on recorded latency histograms")
          .put("p_value", (Double) null).put("reason", "a run has no recorded latency distribution"));
    } else {
      RankTest latency = RankTest.of(ha, hb);
      JsonObject test = new JsonObject().put("method", "Mann-Whitney U on recorded latency histograms (ties within a bucket), "
              + "normal approximation, two-sided")
          .put("count_a", latency.countA()).put("count_b", latency.countB()).put("u", RunQueries.finite(latency.u()))
          .put("z", RunQueries.finite(latency.z())).put("p_value", RunQueries.finite(latency.pValue()))
          .put("p_a_slower", RunQueries.finite(latency.superiority()));
      if (test.getValue("p_value") == null) {
        test.put("reason", "run " + (latency.countA() == 0 ? a.getString("id") : b.getString("id")) + " recorded no requests");
      }
      out.put("latency", test);
    }
    return out;
  }

  private static long count(JsonObject m, String field) {
    return m.getValue(field) instanceof Number n ? n.longValue() : 0;
  }
}
