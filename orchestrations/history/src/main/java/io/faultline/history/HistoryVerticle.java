package io.faultline.history;

import io.faultline.orchestration.OrchestratorVerticle;
import io.faultline.chaos.control.ControlError;
import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.event.ChaosListeners;
import io.faultline.history.analytics.AnomalyDetector;
import io.faultline.history.analytics.LiveAnalytics;
import io.faultline.history.experiment.AbTest;
import io.faultline.history.experiment.BreakingPoint;
import io.faultline.history.experiment.Experiments;
import io.faultline.history.recorder.FlightRecorder;
import io.faultline.history.recorder.RecorderSearch;
import io.faultline.history.runs.ChangeFeed;
import io.faultline.history.runs.Comparison;
import io.faultline.history.runs.RunFeed;
import io.faultline.history.runs.RunQueries;
import io.faultline.history.score.LatencyHistogram;
import io.faultline.history.store.BoundedQueue;
import io.faultline.history.store.Databases;
import io.faultline.history.store.HistoryStore;
import io.faultline.history.store.RecordedExchange;
import io.faultline.history.store.Writer;
import io.faultline.chaos.state.StateFiles;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * History, the flight recorder and analytics on one node: opens the store (the SQLite file
 * {@code STATE_DIR/history.db}, or the shared PostgreSQL database), feeds it from the event bus
 * (orchestration runs, chaos changes and windows) and from the request path (the recorder and the
 * latency histogram, through {@link #listener()}), and answers the {@link HistoryAddresses}. Every
 * write goes through a bounded queue drained in batches by a {@link Writer}: nothing here waits on the
 * request path; what does not fit, and what the database cannot take for minutes on end, is dropped and
 * counted ({@link #dropped()}).
 */
public final class HistoryVerticle extends VerticleBase {

  private static final Logger LOG = Logger.getLogger(HistoryVerticle.class.getName());
  private static final long RETENTION_EVERY_MS = 3_600_000;

  /** What the verticle needs: its config sections, the state directory (null: a temporary one) and the node's id. */
  public record Options(HistoryConfig history, RecorderConfig recorder, AnalyticsConfig analytics, Path stateDir,
      Supplier<String> node) {
  }

  private final Options options;
  private final LatencyHistogram latency = new LatencyHistogram();
  private final BoundedQueue<JsonObject> runs;
  private final BoundedQueue<JsonObject> changes;
  private final BoundedQueue<JsonObject> windows;
  private final BoundedQueue<RecordedExchange> exchanges;
  private final FlightRecorder recorder;
  private final Map<String, Writer<?>> writers = new java.util.concurrent.ConcurrentHashMap<>();
  private final List<HistoryStore> stores = new ArrayList<>();
  private volatile LiveAnalytics analytics;
  private ChangeFeed changeFeed;
  private RunFeed runFeed;
  /** How long a stop waits for the traffic figures of the chaos window still open. */
  private static final long WINDOW_AT_STOP_MS = 2_000;
  private Path temporary;

  public HistoryVerticle(Options options) {
    this.options = options;
    int size = options.history().queueSize();
    runs = new BoundedQueue<>(size);
    changes = new BoundedQueue<>(size);
    windows = new BoundedQueue<>(size);
    exchanges = new BoundedQueue<>(options.recorder().queueSize());
    recorder = new FlightRecorder(exchanges, options.recorder().sampleRate());
  }

  /** What the protocols report to: the latency histogram (for run comparisons) and, when enabled, the recorder. */
  public ChaosListener listener() {
    return options.recorder().enabled() ? new ChaosListeners(List.of(latency, recorder)) : latency;
  }

  @Override
  public Future<?> start() {
    HistoryConfig config = options.history();
    return vertx.executeBlocking(() -> {
      if (options.stateDir() != null) {
        return options.stateDir();
      }
      temporary = Files.createTempDirectory("faultline-history");
      return temporary;
    }).compose(dir -> {
      Databases.Target target = Databases.target(config.url(), dir, "history.db", "history.url");
      Future<HistoryStore> main = Databases.open(vertx, target, 4, config.url() == null ? "state_dir" : "history.url");
      String db = options.recorder().db();
      Future<HistoryStore> recorded = db == null ? main : main.compose(m -> {
        Path file = Path.of(db).toAbsolutePath();
        return Databases.open(vertx, Databases.target(null, file.getParent(), file.getFileName().toString(), "recorder.db"), 2, "recorder.db");
      });
      return Future.all(main, recorded).compose(v -> wire(main.result(), recorded.result(), target.shared(), dir));
    });
  }

  private Future<Void> wire(HistoryStore store, HistoryStore recorded, boolean shared, Path dir) {
    stores.add(store);
    if (recorded != store) {
      stores.add(recorded);
    }
    HistoryConfig config = options.history();
    writers.put("run", new Writer<>(vertx, "run", runs, config.batchSize(), store::insertRuns));
    writers.put("change", new Writer<>(vertx, "change", changes, config.batchSize(), store::insertChanges));
    writers.put("window", new Writer<>(vertx, "window", windows, config.batchSize(), store::insertWindows));
    io.faultline.history.store.ExchangeCap cap = new io.faultline.history.store.ExchangeCap(recorded, config.retention().maxExchanges());
    writers.put("exchange", new Writer<>(vertx, "exchange", exchanges, config.batchSize(),
        list -> recorded.insertExchanges(options.node().get(), list).onSuccess(v -> cap.written(list.size()))));
    writers.values().forEach(w -> w.start(config.flushMs()));
    RunQueries queries = new RunQueries(store, recorded);
    Comparison comparison = new Comparison(store);
    Experiments experiments = new Experiments(vertx, store, options.node());
    AbTest ab = new AbTest(vertx);
    BreakingPoint breakingPoint = new BreakingPoint(vertx);
    RecorderSearch search = new RecorderSearch(recorded);
    LiveAnalytics live = new LiveAnalytics(vertx, options.analytics());
    analytics = live;
    Bus.answer(vertx, HistoryAddresses.RUNS, only(FILTERS, queries::runs));
    Bus.answer(vertx, HistoryAddresses.RUN, only(List.of("id"), queries::run));
    Bus.answer(vertx, HistoryAddresses.TRENDS, only(List.of("name", "days"), queries::trends));
    Bus.answer(vertx, HistoryAddresses.COMPARE, only(List.of("ids", "rank_by"), comparison::compare));
    Bus.answer(vertx, HistoryAddresses.SUMMARY, only(List.of(), queries::summary));
    Bus.answer(vertx, HistoryAddresses.EXPORT, only(EXPORT_FIELDS, queries::export));
    Bus.answer(vertx, HistoryAddresses.AB, q -> ab.plan(q).compose(job -> unlessOrchestrating(experiments,
        "an A/B test runs orchestrations of its own, one at a time", "ab", q, job)));
    Bus.answer(vertx, HistoryAddresses.BREAKING_POINT, q -> {
      var job = breakingPoint.plan(q);
      // a run restores the config it found when it ends: the two would undo each other's chaos
      return unlessOrchestrating(experiments, "a breaking-point search sets the chaos config itself", "breaking_point", q, job);
    });
    Bus.answer(vertx, HistoryAddresses.EXPERIMENTS, only(List.of("limit"), experiments::list));
    Bus.answer(vertx, HistoryAddresses.EXPERIMENT, only(List.of("id"), experiments::get));
    Bus.answer(vertx, HistoryAddresses.EXPERIMENT_STOP, experiments::stop);
    Bus.answer(vertx, HistoryAddresses.CHANGES, only(WINDOW_FIELDS, q -> store.changes(since(q), until(q), Params.integer(q, "limit", 100, 1, 10_000))
        .map(list -> new JsonObject().put("changes", new io.vertx.core.json.JsonArray(list)))));
    Bus.answer(vertx, HistoryAddresses.WINDOWS, only(WINDOW_FIELDS, q -> windows(store, q)));
    Bus.answer(vertx, HistoryAddresses.RECORDER_SEARCH, search::search);
    Bus.answer(vertx, HistoryAddresses.ANOMALIES, only(List.of("since"), live::anomalies));
    Bus.answer(vertx, HistoryAddresses.ANALYTICS_TRENDS, only(List.of("metric", "minutes"), live::trends));
    Bus.answer(vertx, HistoryAddresses.HEALTH, only(List.of(), live::health));
    Bus.answer(vertx, HistoryAddresses.INSIGHTS, only(List.of(), live::insights));
    live.start();
    // the recorder's own database (--recorder-db) is pruned too: its exchanges grew past max_exchanges and retention_days
    List<HistoryStore> pruned = recorded == store ? List.of(store) : List.of(store, recorded);
    pruned.forEach(this::prune);
    vertx.setPeriodic(RETENTION_EVERY_MS, id -> pruned.forEach(this::prune));
    changeFeed = new ChangeFeed(vertx, changes, windows, shared, options.node());
    return Future.all(experiments.interrupted(shared),
        // in a cluster a run is checkpointed and the next leader resumes it: a marker would say it ended there
        (runFeed = new RunFeed(vertx, latency, runs, shared, options.node(), vertx.isClustered() ? null : dir.resolve("runs-open"),
            store::insertRuns)).start(),
        changeFeed.start(), ab.start()).mapEmpty();
  }

  /** The run filters of {@code runs} (and of {@code export}, with {@code format}). */
  private static final List<String> FILTERS = List.of("name", "tag", "status", "since", "until", "min_score", "limit");
  private static final List<String> EXPORT_FIELDS = java.util.stream.Stream.concat(FILTERS.stream(), java.util.stream.Stream.of("format")).toList();
  private static final List<String> WINDOW_FIELDS = List.of("since", "until", "limit");

  /**
   * {@code handler}, refusing a field it does not know (a misspelt query parameter, {@code ?min-score=50},
   * filtered nothing and answered everything, as if it had matched).
   */
  private static java.util.function.Function<JsonObject, Future<JsonObject>> only(List<String> known,
      java.util.function.Function<JsonObject, Future<JsonObject>> handler) {
    return q -> {
      Params.only(q, known);
      return handler.apply(q);
    };
  }

  private void prune(HistoryStore store) {
    store.prune(options.history().retention(), System.currentTimeMillis())
        .onSuccess(deleted -> LOG.fine(() -> "history retention deleted " + deleted.encode()))
        .onFailure(e -> LOG.warning(() -> "history retention failed: " + e.getMessage()));
  }

  /**
   * The kept windows in the range, newest first, after this node's open one (chaos on now) when it began by {@code until};
   * that one once: a node of a shared database that stopped while it was open wrote it, ended at that stop, and it goes on.
   */
  private Future<JsonObject> windows(HistoryStore store, JsonObject q) {
    long since = since(q);
    long until = until(q);
    int limit = Params.integer(q, "limit", 100, 1, 10_000);
    Future<JsonObject> open = changeFeed == null ? Future.succeededFuture() : changeFeed.openWindow(until);
    return open.compose(now -> store.windows(since, until, limit).map(kept -> {
      io.vertx.core.json.JsonArray windows = new io.vertx.core.json.JsonArray();
      if (now != null) {
        windows.add(now);
      }
      kept.stream().filter(w -> now == null || !now.getString("id").equals(w.getString("id"))).limit(limit - windows.size())
          .forEach(windows::add);
      return new JsonObject().put("windows", windows);
    }));
  }

  private static long since(JsonObject q) {
    Long since = Params.time(q, "since");
    Params.window(since, Params.time(q, "until"));
    return since == null ? 0 : since;
  }

  private static long until(JsonObject q) {
    Long until = Params.time(q, "until");
    return until == null ? Long.MAX_VALUE : until;
  }

  @Override
  public Future<?> stop() {
    if (analytics != null) {
      analytics.stop();
    }
    // the runs that ended just before (a node that stops ends its run first) were queued as they were reported,
    // and the chaos window still open is queued now, before the writers' last flush
    Future<Void> windowKept = changeFeed == null ? Future.succeededFuture()
        : changeFeed.stop().timeout(WINDOW_AT_STOP_MS, java.util.concurrent.TimeUnit.MILLISECONDS).otherwiseEmpty();
    // and the rows of runs that ended are written straight away: they are in, or queued, before the last flush
    Future<Void> runsKept = runFeed == null ? Future.succeededFuture()
        : runFeed.settled().timeout(WINDOW_AT_STOP_MS, java.util.concurrent.TimeUnit.MILLISECONDS).otherwiseEmpty();
    windowKept = Future.join(windowKept, runsKept).mapEmpty();
    return windowKept.eventually(() -> Future.join(writers.values().stream().map(Writer::stop).toList())).eventually(() -> Future.join(stores.stream().map(HistoryStore::close).toList()))
        .eventually(() -> temporary == null ? Future.succeededFuture() : StateFiles.delete(vertx, temporary));
  }

  /**
   * Records dropped, by kind ({@code run, change, window, exchange}): because their queue was full, or
   * because their write failed for good (the database refused them, or stayed out of reach for
   * {@link Writer#RETRY_FOR_MS}).
   */
  public Map<String, Long> dropped() {
    Map<String, Long> out = new LinkedHashMap<>();
    out.put("run", runs.dropped() + abandoned("run"));
    out.put("change", changes.dropped() + abandoned("change"));
    out.put("window", windows.dropped() + abandoned("window"));
    out.put("exchange", exchanges.dropped() + abandoned("exchange"));
    return out;
  }

  private long abandoned(String kind) {
    Writer<?> writer = writers.get(kind);
    return writer == null ? 0 : writer.abandoned();
  }

  /** Anomalies flagged since start, by type. */
  public long anomalies(String type) {
    LiveAnalytics live = analytics;
    return live == null ? 0 : live.anomalyCounts().get(type).sum();
  }

  /** The types {@link #anomalies} counts. */
  public static List<String> anomalyTypes() {
    return AnomalyDetector.types();
  }

  /** The latest health score (0..100), NaN before the first sample or with no traffic. */
  public double healthScore() {
    LiveAnalytics live = analytics;
    return live == null ? Double.NaN : live.healthScore();
  }

  /**
   * Starts an experiment unless another one or an orchestration is running, refused at once (409) saying why
   * ({@code why}): the A/B test's first sample was started and failed two seconds later, the refusal kept as
   * the experiment's error.
   */
  private Future<JsonObject> unlessOrchestrating(Experiments experiments, String why, String kind, JsonObject request,
      java.util.function.Function<Experiments.Handle, Future<JsonObject>> job) {
    // held first, then asked: a run that starts after the question is refused by the hold, one before it is
    // running when the question comes (both got in when the hold came after the answer)
    String id = experiments.reserve(kind);
    return vertx.eventBus().<JsonObject>request(OrchestratorVerticle.STATUS, new JsonObject())
        .map(status -> status.body().getBoolean("is_running", false)).otherwise(false)
        .compose(orchestrating -> orchestrating
            ? Future.failedFuture(new ControlError.Conflict("experiment", "an orchestration is running; " + why
                + ": wait for the run to end"))
            : experiments.start(id, kind, request, job))
        .onFailure(e -> experiments.release(id));
  }
}
