package io.faultline.orchestration.report;

import io.faultline.chaos.state.StateFiles;
import io.faultline.orchestration.model.Names;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.logging.Logger;

/**
 * The node's recent run reports: the newest {@link #KEPT} by start time, in memory and, when the node
 * has a state directory, as {@code DIR/ID.json} so they survive restarts (an older one's file is removed).
 * Reports are kept as the JSON they came as (from this node's runs or, in a cluster, from the leader's).
 */
public final class ReportStore {

  public static final int KEPT = 50;
  private static final Logger LOG = Logger.getLogger(ReportStore.class.getName());

  private final Vertx vertx;
  private final Path dir;
  private final Deque<JsonObject> reports = new ArrayDeque<>();
  /** The writes of kept reports not known to have ended. */
  private Future<Void> saving = Future.succeededFuture();

  /** {@code dir} may be null: reports in memory only. */
  public ReportStore(Vertx vertx, Path dir) {
    this.vertx = vertx;
    this.dir = dir;
  }

  /** Reads the reports kept on disk. */
  public Future<Void> load() {
    if (dir == null) {
      return Future.succeededFuture();
    }
    return vertx.fileSystem().exists(dir.toString()).compose(exists -> !exists ? Future.succeededFuture()
        : vertx.fileSystem().readDir(dir.toString(), ".*\\.json").compose(files -> {
          Future<Void> chain = Future.succeededFuture();
          for (String file : files) {
            chain = chain.compose(v -> vertx.fileSystem().readFile(file).<Void>map(b -> {
              JsonObject report = b.toJsonObject();
              if (Names.valid(report.getString("id")) && get(report.getString("id")) == null) {
                reports.add(report);
              }
              return null;
            }).otherwise(e -> {
              LOG.warning(() -> "report file " + file + " left out: " + e.getMessage());
              return null;
            }));
          }
          return chain.map(v -> {
            trim(new ArrayList<>(reports));
            return null;
          });
        }));
  }

  /**
   * Keeps {@code report} (once: a report that is already here is left alone); answers whether it did. A
   * report whose id is not a usable file name (it may come from a peer or a script on the bridge) is refused.
   */
  public boolean keep(JsonObject report) {
    Object value = report.getValue("id");
    String id = value instanceof String s ? s : null;
    if (!Names.valid(id)) {
      LOG.warning(() -> "report refused: its id is not a usable name (1-64 letters, digits, '_', '-', '.'): " + abbreviated(value));
      return false;
    }
    if (get(id) != null) {
      return false;
    }
    List<JsonObject> sorted = new ArrayList<>(reports);
    sorted.add(report);
    trim(sorted);
    if (!reports.contains(report)) {
      return false;
    }
    save(report);
    return true;
  }

  private void trim(List<JsonObject> sorted) {
    sorted.sort(Comparator.comparingLong(r -> r.getLong("started_at", 0L)));
    reports.clear();
    int first = Math.max(0, sorted.size() - KEPT);
    reports.addAll(sorted.subList(first, sorted.size()));
    sorted.subList(0, first).forEach(this::forget);
  }

  /**
   * Removes the file of a report no longer kept (once the writes in flight are done): the directory grew by a file a
   * run for good, every one past the newest {@link #KEPT} unreachable. History keeps the run's report.
   */
  private void forget(JsonObject report) {
    if (dir == null || !Names.valid(report.getString("id"))) {
      return;
    }
    String file = Names.inside(dir, report.getString("id") + ".json", "id").toString();
    saving.onComplete(v -> vertx.fileSystem().delete(file).onFailure(e -> {
      if (!(e instanceof java.nio.file.NoSuchFileException) && !(e.getCause() instanceof java.nio.file.NoSuchFileException)) {
        LOG.warning(() -> "could not remove report file " + file + ": " + e.getMessage());
      }
    }));
  }

  /**
   * The newest report of a run of its own, or null: not a distributed task's item (a report with {@code task}), which
   * may start during a CI job's run and end before it, and was the "latest" the job then published.
   */
  public JsonObject latest() {
    java.util.Iterator<JsonObject> newestFirst = reports.descendingIterator();
    while (newestFirst.hasNext()) {
      JsonObject report = newestFirst.next();
      if (report.getValue("task") == null) {
        return report;
      }
    }
    return null;
  }

  /** The report {@code id}, or null. */
  public JsonObject get(String id) {
    return reports.stream().filter(r -> id.equals(r.getString("id"))).findFirst().orElse(null);
  }

  /** A line per report: id, name, status, started_at. */
  public JsonArray list() {
    JsonArray list = new JsonArray();
    reports.forEach(r -> list.add(new JsonObject().put("id", r.getString("id")).put("name", r.getString("name"))
        .put("status", r.getString("status")).put("started_at", r.getLong("started_at"))));
    return list;
  }

  /** Every report, for a node that joins. */
  public JsonArray snapshot() {
    return new JsonArray(new ArrayList<>(reports));
  }

  private static String abbreviated(Object value) {
    String text = String.valueOf(value);
    return text.length() > 80 ? text.substring(0, 80) + "..." : text;
  }

  private void save(JsonObject report) {
    if (dir == null) {
      return;
    }
    String id = report.getString("id");
    Path file = Names.inside(dir, id + ".json", "id");
    Future<Void> write = StateFiles.write(vertx, file, report.encodePrettily())
        .onFailure(e -> LOG.warning(() -> "could not keep report " + id + ": " + e.getMessage()))
        .<Void>mapEmpty().otherwiseEmpty();
    // joined only with writes still going, so the chain never outgrows what is in flight
    saving = saving.isComplete() ? write : Future.join(saving, write).<Void>mapEmpty().otherwiseEmpty();
  }

  /** Completes once every report kept so far is written (a node that stops waits for it); never fails. */
  public Future<Void> settled() {
    return saving;
  }
}
