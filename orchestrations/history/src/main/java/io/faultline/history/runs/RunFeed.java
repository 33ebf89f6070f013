package io.faultline.history.runs;

import io.faultline.history.HistoryAddresses;
import io.faultline.history.score.LatencyHistogram;
import io.faultline.history.score.ResilienceScore;
import io.faultline.history.store.BoundedQueue;
import io.faultline.orchestration.Metrics;
import io.faultline.orchestration.parse.OrchestrationParser;
import io.faultline.orchestration.OrchestratorVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Turns orchestration events into history rows. When a run's first progress arrives, it notes the
 * node's latency histogram and asks for the traffic of the {@link ResilienceScore#BASELINE_WINDOW_MS}
 * before the run (its calm baseline). When the run finishes on this node ({@code faultline.orchestration.finished},
 * published only where the run executed: the leader), it scores the report, keeps the run's latency
 * distribution, and queues the row: one writer per run. It then publishes the document on
 * {@link HistoryAddresses#RUN_RECORDED}, so in a cluster whose nodes each keep their own database every
 * node keeps every run; with a shared database the others ignore it.
 */
public final class RunFeed {

  private static final int TRACKED = 16;
  /** Where a cluster's leader takes the starts other nodes forward (OrchestratorVerticle.LEADER + ".start"). */
  private static final String LEADER_START = "faultline.orchestration.leader.start";

  private final Vertx vertx;
  private final LatencyHistogram latency;
  private final BoundedQueue<JsonObject> runs;
  private final boolean shared;
  private final Supplier<String> node;
  private final Map<String, Start> starts = new LinkedHashMap<>();
  /** Tags of orchestrations started through this node, by name (the report does not carry them yet). */
  private final Map<String, JsonArray> startedTags = new LinkedHashMap<>();

  private static final class Start {
    final long[] histogram;
    JsonObject preRun;

    Start(long[] histogram) {
      this.histogram = histogram;
    }
  }

  /** The reported runs not yet queued for the store (their tags being looked up). */
  private Future<Void> feeding = Future.succeededFuture();

  public RunFeed(Vertx vertx, LatencyHistogram latency, BoundedQueue<JsonObject> runs, boolean shared, Supplier<String> node) {
    this.vertx = vertx;
    this.latency = latency;
    this.runs = runs;
    this.shared = shared;
    this.node = node;
  }

  public Future<Void> start() {
    vertx.eventBus().addInboundInterceptor(this::noteTags);
    return Future.all(
        vertx.eventBus().<JsonObject>consumer(OrchestratorVerticle.PROGRESS, m -> progress(m.body())).completion(),
        vertx.eventBus().<JsonObject>localConsumer(OrchestratorVerticle.FINISHED, m -> finished(m.body())).completion(),
        vertx.eventBus().<JsonObject>consumer(HistoryAddresses.RUN_RECORDED, m -> {
          JsonObject document = m.body();
          if (!shared && !node.get().equals(document.getString("node"))) {
            runs.offer(row(document));
          }
        }).completion()).mapEmpty();
  }

  private void progress(JsonObject status) {
    String id = status.getString("run_id");
    if (id == null || !status.getBoolean("is_running", false) || starts.containsKey(id)) {
      return;
    }
    Start start = new Start(latency.snapshot());
    starts.put(id, start);
    for (Iterator<String> it = starts.keySet().iterator(); starts.size() > TRACKED; ) {
      it.next();
      it.remove();
    }
    long startedAt = status.getLong("started_at", System.currentTimeMillis());
    vertx.eventBus().<JsonObject>request(Metrics.WINDOW_ADDRESS,
            new JsonObject().put("from", startedAt - ResilienceScore.BASELINE_WINDOW_MS).put("to", startedAt - 1)
                .put("started_after", startedAt - ResilienceScore.BASELINE_WINDOW_MS))
        .onSuccess(reply -> start.preRun = reply.body());
  }

  private void finished(JsonObject report) {
    Start start = starts.remove(report.getString("id"));
    long[] histogram = start == null ? null : LatencyHistogram.between(start.histogram, latency.snapshot());
    Future<Void> queued = tags(report).transform(tags -> {
      JsonObject document = document(report, start == null ? null : start.preRun, histogram,
          tags.succeeded() ? tags.result() : new JsonArray(), node.get());
      runs.offer(row(document));
      vertx.eventBus().publish(HistoryAddresses.RUN_RECORDED, document);
      return Future.succeededFuture();
    });
    // joined only with runs still being queued, so the chain never outgrows what is in flight
    feeding = feeding.isComplete() ? queued : Future.join(feeding, queued).<Void>mapEmpty().otherwiseEmpty();
  }

  /** Completes once every run reported so far is queued for the store (or after 5 s): a stopping node waits for it. */
  public Future<Void> settled() {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    feeding.onComplete(v -> done.tryComplete());
    vertx.setTimer(5_000, id -> done.tryComplete());
    return done.future();
  }

  /**
   * Sees every start request delivered on this node (to the orchestrator, or to it as the cluster's
   * leader) and notes the orchestration's tags by name: a start costs one parse more, other messages one
   * address comparison.
   */
  private void noteTags(io.vertx.core.eventbus.DeliveryContext<Object> context) {
    String address = context.message().address();
    if ((address.equals(OrchestratorVerticle.START) || address.equals(LEADER_START))
        && context.body() instanceof JsonObject body && body.getValue("text") instanceof String text) {
      OrchestrationParser.Result parsed = OrchestrationParser.parse(text);
      if (parsed.valid()) {
        startedTags.put(parsed.orchestration().name(), new JsonArray(parsed.orchestration().tags()));
        for (Iterator<String> it = startedTags.keySet().iterator(); startedTags.size() > TRACKED * 4; ) {
          it.next();
          it.remove();
        }
      }
    }
    context.next();
  }

  /**
   * The report's own {@code tags} when it has them, else those of the last start of an orchestration of that
   * name seen here, else those of the library entry that holds it.
   */
  private Future<JsonArray> tags(JsonObject report) {
    if (report.getValue("tags") instanceof JsonArray tags) {
      return Future.succeededFuture(tags);
    }
    String name = report.getString("name");
    if (startedTags.containsKey(name)) {
      return Future.succeededFuture(startedTags.get(name));
    }
    return vertx.eventBus().<JsonObject>request(OrchestratorVerticle.LIBRARY_LIST, new JsonObject()).map(reply -> {
      for (Object o : reply.body().getJsonArray("entries", new JsonArray())) {
        JsonObject entry = (JsonObject) o;
        if (name != null && name.equals(entry.getString("orchestration"))) {
          return entry.getJsonArray("tags", new JsonArray());
        }
      }
      return new JsonArray();
    });
  }

  /** What history keeps of a run: its report, its score and breakdown, tags, node and latency distribution. */
  static JsonObject document(JsonObject report, JsonObject preRun, long[] histogram, JsonArray tags, String node) {
    JsonObject resilience = ResilienceScore.of(report, preRun);
    JsonObject document = report.copy().put("tags", tags).put("node", node).put("resilience", resilience)
        .put("resilience_score", resilience.getValue("score"));
    if (histogram != null) {
      JsonArray buckets = new JsonArray();
      long count = 0;
      for (int i = 0; i < histogram.length; i++) {
        if (histogram[i] > 0) {
          buckets.add(new JsonArray().add(i).add(histogram[i]));
          count += histogram[i];
        }
      }
      document.put("latency_histogram", new JsonObject().put("buckets", buckets).put("count", count)
          .put("p50_ms", finite(LatencyHistogram.quantile(histogram, 0.5)))
          .put("p95_ms", finite(LatencyHistogram.quantile(histogram, 0.95)))
          .put("p99_ms", finite(LatencyHistogram.quantile(histogram, 0.99))));
    }
    return document;
  }

  /** The run's latency histogram as bucket counts, or null when none was recorded. */
  public static long[] histogram(JsonObject document) {
    JsonObject h = document.getJsonObject("latency_histogram");
    if (h == null) {
      return null;
    }
    long[] out = new long[LatencyHistogram.BUCKETS];
    for (Object o : h.getJsonArray("buckets", new JsonArray())) {
      JsonArray pair = (JsonArray) o;
      out[pair.getInteger(0)] = pair.getLong(1);
    }
    return out;
  }

  static JsonObject row(JsonObject d) {
    JsonObject metrics = d.getJsonObject("metrics", new JsonObject());
    // a run that saw no request measured no error rate and no latency: none (the console shows "–"), not 0.0,
    // which read as a flawless run
    boolean measured = number(metrics, "request_count") == null || number(metrics, "request_count") > 0;
    return new JsonObject().put("id", d.getString("id")).put("name", d.getString("name", "?")).put("status", d.getString("status", "?"))
        .put("mode", d.getString("mode")).put("node", d.getString("node")).put("started_at", d.getLong("started_at", 0L))
        .put("ended_at", d.getLong("ended_at", 0L)).put("resilience_score", d.getDouble("resilience_score"))
        .put("request_count", number(metrics, "request_count") == null ? null : number(metrics, "request_count").longValue())
        .put("error_count", number(metrics, "error_count") == null ? null : number(metrics, "error_count").longValue())
        .put("error_rate", measured ? number(metrics, "error_rate") : null).put("avg_latency", measured ? number(metrics, "avg_latency") : null)
        .put("p95_latency", measured ? number(metrics, "p95_latency") : null).put("tags", d.getJsonArray("tags", new JsonArray())).put("document", d);
  }

  private static Double number(JsonObject json, String field) {
    return json.getValue(field) instanceof Number n ? n.doubleValue() : null;
  }

  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }
}
