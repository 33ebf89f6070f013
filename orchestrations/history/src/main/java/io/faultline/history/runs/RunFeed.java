package io.faultline.history.runs;

import io.faultline.history.HistoryAddresses;
import io.faultline.history.score.LatencyHistogram;
import io.faultline.history.score.ResilienceScore;
import io.faultline.history.store.BoundedQueue;
import io.faultline.orchestration.Metrics;
import io.faultline.orchestration.OrchestratorVerticle;
import io.faultline.chaos.state.StateFiles;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Turns orchestration events into history rows. When a run's first progress arrives, it notes the
 * node's latency histogram and asks for the traffic of the {@link ResilienceScore#BASELINE_WINDOW_MS}
 * before the run (its calm baseline). When the run finishes on this node ({@code faultline.orchestration.finished},
 * published only where the run executed: the leader), it scores the report, keeps the run's latency
 * distribution, and queues the row: one writer per run. It then publishes the document on
 * {@link HistoryAddresses#RUN_RECORDED}, so in a cluster whose nodes each keep their own database every
 * node keeps every run; with a shared database the others ignore it.
 *
 * <p>A run that executes here leaves a marker file in {@code open} while it goes (its latest progress), removed
 * when it finishes. A node killed mid-run ({@code kill -9}, the OOM killer, a CI timeout) finds the marker at its
 * next start and keeps the run as {@code failed}, interrupted, instead of losing every trace of it.
 */
public final class RunFeed {

  private static final int TRACKED = 16;
  private static final Logger LOG = Logger.getLogger(RunFeed.class.getName());

  private final Vertx vertx;
  private final LatencyHistogram latency;
  private final BoundedQueue<JsonObject> runs;
  private final boolean shared;
  private final Supplier<String> node;
  private final Map<String, Start> starts = new LinkedHashMap<>();
  /** Where the markers of runs executing here are (null: none kept). */
  private final Path open;
  private final Function<List<JsonObject>, Future<Void>> insert;
  /** Each open run's last marker write, so its removal comes after it. */
  private final Map<String, Future<?>> marking = new HashMap<>();
  /** Each open run's latest progress, written again every {@link #MARKER_REFRESH_MS} with the time it was seen alive. */
  private final Map<String, JsonObject> latest = new HashMap<>();

  /**
   * How often the marker of a run going here is written again: a run a kill interrupts is kept as ended at
   * its marker's time, which its progress alone moved only at step boundaries (a run killed 49 s in, during
   * a two-minute step begun at 2 s, was kept as having lasted 2 s).
   */
  static final long MARKER_REFRESH_MS = 5_000;

  private static final class Start {
    final long[] histogram;
    JsonObject preRun;

    Start(long[] histogram) {
      this.histogram = histogram;
    }
  }

  /**
   * {@code open}: the directory for the markers of runs executing here (null: none); {@code insert} writes rows
   * at once (the runs found interrupted at start, which must not wait in a queue a second kill would lose).
   */
  public RunFeed(Vertx vertx, LatencyHistogram latency, BoundedQueue<JsonObject> runs, boolean shared, Supplier<String> node,
      Path open, Function<List<JsonObject>, Future<Void>> insert) {
    this.vertx = vertx;
    this.latency = latency;
    this.runs = runs;
    this.shared = shared;
    this.node = node;
    this.open = open;
    this.insert = insert;
  }

  public Future<Void> start() {
    return Future.all(
        vertx.eventBus().<JsonObject>consumer(OrchestratorVerticle.PROGRESS, m -> progress(m.body())).completion(),
        // a local consumer hears only this node's runs: the markers are of the runs executing here
        vertx.eventBus().<JsonObject>localConsumer(OrchestratorVerticle.PROGRESS, m -> mark(m.body())).completion(),
        interrupted().onComplete(v -> {
          if (open != null) {
            vertx.setPeriodic(MARKER_REFRESH_MS, id -> latest.forEach(this::write));
          }
        }),
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

  /**
   * Queues the run at once. Its tags are the report's own: those of the orchestration that ran, wherever it
   * was started (a start forwarded to the leader used to get the tags of whatever that name was last started
   * with on the leader).
   */
  private void finished(JsonObject report) {
    String id = report.getString("id");
    Start start = starts.remove(id);
    long[] histogram = start == null ? null : LatencyHistogram.between(start.histogram, latency.snapshot());
    JsonArray tags = report.getValue("tags") instanceof JsonArray t ? t : new JsonArray();
    JsonObject document = document(report, start == null ? null : start.preRun, histogram, tags, node.get());
    JsonObject row = row(document);
    if (open == null || id == null) {
      runs.offer(row);
    } else {
      // written now, and its marker goes once it is in: queued for the next flush (flush_ms), a kill -9 in between
      // lost the run, its marker already gone. A store that cannot take it now gets it queued, retried as any row.
      // The marker holds the ended run itself before the write begins, so whenever a kill comes (during a write that
      // waits out a busy store, or before the queue's retry of one that failed) the next start keeps the run as it ended:
      // the marker went at the end whether the write had worked or not, and such a kill lost the run whole.
      Future<Void> kept = keep(id, document).transform(marked -> insert.apply(List.of(row))).transform(written -> {
        if (written.failed()) {
          runs.offer(row); // queued, retried as any row; the marker stays until the next start
          marking.remove(id);
        } else {
          unmark(id);
        }
        return Future.<Void>succeededFuture();
      });
      writing = writing.isComplete() ? kept : Future.join(writing, kept).<Void>mapEmpty().otherwiseEmpty();
    }
    vertx.eventBus().publish(HistoryAddresses.RUN_RECORDED, document);
  }

  /** The rows of ended runs being written now, not through the queue. */
  private Future<Void> writing = Future.succeededFuture();

  /** Completes once the rows of the runs that have ended are written or queued (a stopping node waits for it); never fails. */
  public Future<Void> settled() {
    return writing;
  }

  private Path marker(String id) {
    return open.resolve(id.replaceAll("[^A-Za-z0-9_.-]", "_") + ".json");
  }

  /** Notes a run executing here as it goes: its latest progress, and when that was. */
  private void mark(JsonObject status) {
    String id = status.getString("run_id");
    if (open == null || id == null || !status.getBoolean("is_running", false)) {
      return;
    }
    latest.put(id, status);
    write(id, status);
  }

  private void write(String id, JsonObject status) {
    String marker = status.copy().put("node", node.get()).put("seen_at", System.currentTimeMillis()).encode();
    Future<?> before = marking.getOrDefault(id, Future.succeededFuture());
    marking.put(id, before.eventually(() -> StateFiles.write(vertx, marker(id), marker)
        .onFailure(e -> LOG.fine(() -> "run marker " + id + " not written: " + e.getMessage()))));
  }

  /**
   * The marker of run {@code id} becomes the ended run's {@code document}: the next start keeps it as it ended (a row
   * already written by then stays as it is), not as interrupted. Completes once written (or not: it never fails).
   */
  private Future<Void> keep(String id, JsonObject document) {
    latest.remove(id); // no refresh of the marker meanwhile
    String marker = new JsonObject().put("run_id", id).put("seen_at", System.currentTimeMillis()).put("ended", document).encode();
    Future<?> before = marking.getOrDefault(id, Future.succeededFuture());
    Future<?> written = before.eventually(() -> StateFiles.write(vertx, marker(id), marker))
        .onFailure(e -> LOG.warning(() -> "run " + id + " ended, but its marker not written: " + e.getMessage()));
    marking.put(id, written);
    return written.<Void>mapEmpty().otherwiseEmpty();
  }

  private void unmark(String id) {
    if (open == null || id == null) {
      return;
    }
    latest.remove(id);
    Future<?> before = marking.remove(id);
    // the marker goes at a run's end, a SIGTERM's too: not through vertx.fileSystem() (StateFiles says why)
    (before == null ? Future.succeededFuture() : before).eventually(() -> StateFiles.delete(vertx, marker(id)))
        .onFailure(e -> LOG.fine(() -> "run marker " + id + " not removed: " + e.getMessage()));
  }

  /** The runs a kill interrupted here before this start: kept as failed, then their markers go. */
  private Future<Void> interrupted() {
    if (open == null) {
      return Future.succeededFuture();
    }
    // a few small files, read off the event loop: each marker's file, and the run it keeps
    return vertx.executeBlocking(() -> {
      java.util.Map<String, JsonObject> documents = new java.util.LinkedHashMap<>();
      if (!Files.isDirectory(open)) {
        return documents;
      }
      try (var listing = Files.newDirectoryStream(open, "*.json")) {
        for (Path file : listing) {
          try {
            JsonObject marker = new JsonObject(Files.readString(file));
            if (marker.getValue("ended") instanceof JsonObject ended) {
              documents.put(file.toString(), ended); // a run that ended, whose row was still queued at the kill
            } else if (marker.getValue("run_id") instanceof String && marker.getValue("seen_at") instanceof Number) {
              documents.put(file.toString(), interruptedRun(marker));
            } else {
              LOG.warning(() -> "run marker " + file + " is no run's marker (no run_id and seen_at), left alone");
            }
          } catch (IOException | RuntimeException e) {
            LOG.warning(() -> "run marker " + file + " unreadable, left alone: " + e.getMessage());
          }
        }
      }
      return documents;
    }).compose(markers -> {
      // each run on its own: one the store refuses must not keep the others out
      List<Future<Void>> kept = new ArrayList<>();
      markers.forEach((file, d) -> kept.add(insert.apply(List.of(row(d))).onSuccess(v -> {
        if (d.getBoolean("interrupted", false)) {
          LOG.warning(() -> "orchestration " + d.getString("name") + " (" + d.getString("id") + ") was interrupted: "
              + d.getJsonArray("errors").getString(0) + "; kept in history as failed");
          vertx.eventBus().publish(HistoryAddresses.RUN_RECORDED, d);
        } else { // published when it ended
          LOG.info(() -> "orchestration " + d.getString("name") + " (" + d.getString("id") + ") ended before the node stopped, its row"
              + " maybe not written then: kept in history (once)");
        }
        StateFiles.delete(vertx, Path.of(file));
      }).onFailure(e -> LOG.warning(() -> "run " + d.getString("id") + " interrupted before this start not kept (" + file + "): "
          + e.getMessage()))));
      return Future.join(kept).<Void>mapEmpty().otherwiseEmpty();
    }).otherwise(e -> {
      LOG.warning(() -> "runs interrupted before this start not kept: " + e.getMessage());
      return null;
    });
  }

  /** What history keeps of a run whose node died under it: what its last progress said, failed. */
  static JsonObject interruptedRun(JsonObject marker) {
    String step = marker.getString("current_step");
    int done = marker.getInteger("steps_done", 0);
    String why = "interrupted: the node stopped while the run was " + (step == null ? "starting" : "in step " + step)
        + " (" + done + (done == 1 ? " step" : " steps") + " done); what it measured is lost";
    JsonObject report = new JsonObject().put("id", marker.getString("run_id")).put("name", marker.getString("name", "?"))
        .put("status", "failed").put("started_at", marker.getLong("started_at", marker.getLong("seen_at")))
        .put("ended_at", marker.getLong("seen_at")).put("steps", new JsonArray()).put("assertions", new JsonArray())
        .put("metrics", new JsonObject()).put("errors", new JsonArray().add(why)).put("interrupted", true)
        .put("mode", marker.getString("mode"));
    // its tags: a failed nightly run was missing from ?tag=nightly
    JsonArray tags = marker.getValue("tags") instanceof JsonArray t ? t : new JsonArray();
    report.put("tags", tags);
    return document(report, null, null, tags, marker.getString("node"));
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

  /**
   * Whether {@code metrics} (a run's or a step's) measured anything: a run that saw no request measured no
   * error rate and no latency, and answers none (the console shows "–"), not the 0.0 its metrics hold, which
   * read as a flawless run. Metrics without a request count are taken as they are.
   */
  static boolean measured(JsonObject metrics) {
    return number(metrics, "request_count") == null || number(metrics, "request_count") > 0;
  }

  /** The figures {@link #measured} empties when nothing was: rates and latencies (counts stay, 0 is their truth). */
  static final java.util.Set<String> RATES = java.util.Set.of("error_rate", "avg_latency", "p50_latency", "p95_latency", "p99_latency");

  static JsonObject row(JsonObject d) {
    JsonObject metrics = d.getJsonObject("metrics", new JsonObject());
    boolean measured = measured(metrics);
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
