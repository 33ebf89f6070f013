package io.faultline.orchestration;

import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.control.Addresses;
import io.faultline.chaos.control.ControlError;
import io.faultline.chaos.state.ChaosState;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Runs orchestrations on this node, one at a time, and keeps their reports (on disk under
 * {@code DATA_DIR/reports} when a data directory is set, so they survive restarts). Answers the
 * {@code faultline.orchestration.*} addresses and publishes progress on
 * {@code faultline.orchestration.progress}.
 */
public final class OrchestratorVerticle extends VerticleBase {

  public static final String VALIDATE = "faultline.orchestration.validate";
  public static final String START = "faultline.orchestration.start";
  public static final String STOP = "faultline.orchestration.stop";
  public static final String STATUS = "faultline.orchestration.status";
  public static final String REPORTS = "faultline.orchestration.reports";
  public static final String REPORT = "faultline.orchestration.report";
  public static final String PROGRESS = "faultline.orchestration.progress";
  /** Published (to this node) with the report when a run it executed ends. */
  public static final String FINISHED = "faultline.orchestration.finished";
  /** Published (to this node) for each hook a run executed: {@code {"type", "hook", "result": succeeded|failed}}. */
  public static final String HOOK = "faultline.orchestration.hook";
  public static final String EXECUTE = "faultline.orchestration.execute";
  public static final String LIBRARY_LIST = "faultline.orchestration.library.list";
  public static final String LIBRARY_GET = "faultline.orchestration.library.get";
  public static final String LIBRARY_PUT = "faultline.orchestration.library.put";
  public static final String LIBRARY_DELETE = "faultline.orchestration.library.delete";
  public static final String LIBRARY_IMPORT = "faultline.orchestration.library.import";
  public static final String LIBRARY_EXPORT = "faultline.orchestration.library.export";
  /** Cluster-wide: a library change made on some node ({@code {"name", "text" (null: deleted), "at"}}), for every node to apply. */
  static final String LIBRARY_CHANGED = "faultline.orchestration.library.changed";
  /** Cluster-wide: asked by a node that joins, answered by one that runs with its whole library ({@code {"items": [changes]}}). */
  static final String LIBRARY_SYNC = "faultline.orchestration.library.sync";
  /** Cluster-wide: a report the leader kept, for every node to keep too (a later leader serves it). */
  static final String REPORT_KEPT = "faultline.orchestration.report.kept";
  /** Cluster-wide: asked by a node that joins, answered by one that runs with its reports ({@code {"items": [reports]}}). */
  static final String REPORTS_SYNC = "faultline.orchestration.reports.sync";

  private static final Logger LOG = Logger.getLogger(OrchestratorVerticle.class.getName());
  private static final int KEPT = 50;
  private static final String ENTRY_NAME = "[A-Za-z0-9_.-]{1,64}";

  /** Where the leader of a cluster answers what any node is asked: {@code LEADER + ".start"} and so on. */
  static final String LEADER = "faultline.orchestration.leader";

  private final Run.Permissions permissions;
  private final boolean clustered;
  private boolean leading;
  private final List<MessageConsumer<?>> leaderConsumers = new ArrayList<>();
  private final Path reportDir;
  private final Library library;
  private long scheduler = -1;
  private final Deque<JsonObject> reports = new ArrayDeque<>();
  private Run current;
  private Future<Void> currentDone = Future.succeededFuture();
  private JsonObject lastStatus = new JsonObject().put("is_running", false);

  /**
   * {@code dataDir} may be null (reports in memory only). In a cluster ({@code clustered}) runs execute on
   * the leader: every node forwards starts, stops and queries to it, the running step is checkpointed in
   * the cluster, and a new leader resumes a run its predecessor left unfinished.
   */
  public OrchestratorVerticle(boolean allowCommands, Set<String> httpAllowList, Path dataDir, boolean clustered) {
    this.clustered = clustered;
    this.leading = !clustered;
    this.permissions = new Run.Permissions(allowCommands, Set.copyOf(httpAllowList));
    this.reportDir = dataDir == null ? null : dataDir.resolve("reports");
    this.library = new Library(dataDir == null ? null : dataDir.resolve("library"));
  }

  @Override
  public Future<?> start() {
    answer(VALIDATE, body -> validation(OrchestrationParser.parse(text(body))));
    routed(START, "start", body -> startRun(text(body), variables(body)));
    routed(STOP, "stop", body -> {
      if (current == null || !current.running()) {
        throw new ChaosState.NotFound("run", "no orchestration is running");
      }
      current.stop("stopped");
      return current.status();
    });
    routed(STATUS, "status", body -> current == null ? lastStatus : current.status());
    routed(REPORTS, "reports", body -> {
      JsonArray list = new JsonArray();
      reports.forEach(r -> list.add(new JsonObject().put("id", r.getString("id")).put("name", r.getString("name"))
          .put("status", r.getString("status")).put("started_at", r.getLong("started_at"))));
      return new JsonObject().put("reports", list);
    });
    routed(REPORT, "report", body -> {
      String id = body == null ? "latest" : body.getString("id", "latest");
      JsonObject report = id.equals("latest") ? reports.peekLast()
          : reports.stream().filter(r -> id.equals(r.getString("id"))).findFirst().orElse(null);
      if (report == null) {
        throw new ChaosState.NotFound("id", id.equals("latest") ? "no report yet" : "no report " + id);
      }
      return report;
    });
    // The entry comes from this node's library; the run, like any start, goes to the leader.
    vertx.eventBus().<JsonObject>localConsumer(EXECUTE, message -> {
      JsonObject start;
      try {
        String name = entryName(message.body());
        String text = library.get(name);
        if (text == null) {
          throw new ChaosState.NotFound("name", "no library entry named " + name);
        }
        start = new JsonObject().put("text", text).put("variables", new JsonObject(variables(message.body())));
      } catch (RuntimeException e) {
        ControlError.fail(message, e);
        return;
      }
      vertx.eventBus().<JsonObject>request(START, start).onComplete(ar -> {
        if (ar.succeeded()) {
          message.reply(ar.result().body());
        } else {
          ControlError.fail(message, ar.cause());
        }
      });
    });
    answer(LIBRARY_LIST, body -> {
      JsonArray entries = new JsonArray();
      library.entries().forEach((name, text) -> {
        Model.Orchestration o = OrchestrationParser.parse(text).orchestration();
        entries.add(new JsonObject().put("name", name).put("orchestration", o.name()).put("description", o.description())
            .put("tags", new JsonArray(o.tags())).put("schedule", o.schedule()).put("steps", o.steps().size()));
      });
      return new JsonObject().put("entries", entries);
    });
    answer(LIBRARY_GET, body -> {
      String name = entryName(body);
      String text = library.get(name);
      if (text == null) {
        throw new ChaosState.NotFound("name", "no library entry named " + name);
      }
      return new JsonObject().put("name", name).put("text", text);
    });
    answer(LIBRARY_PUT, body -> {
      String name = entryName(body);
      String text = text(body);
      OrchestrationParser.Result parsed = OrchestrationParser.parse(text);
      if (!parsed.valid()) {
        throw invalid(parsed);
      }
      change(Library.change(name, text));
      return new JsonObject().put("name", name).put("orchestration", parsed.orchestration().name())
          .put("schedule", parsed.orchestration().schedule());
    });
    answer(LIBRARY_DELETE, body -> {
      String name = entryName(body);
      if (library.get(name) == null) {
        throw new ChaosState.NotFound("name", "no library entry named " + name);
      }
      change(Library.change(name, null));
      return new JsonObject().put("deleted", name);
    });
    answer(LIBRARY_IMPORT, body -> importDir(Path.of(required(body, "dir"))));
    answer(LIBRARY_EXPORT, body -> exportDir(Path.of(required(body, "dir"))));
    Future<Void> ready = loadReports().compose(v -> loadLibrary()).onSuccess(v -> scheduleNextMinute());
    if (!clustered) {
      return ready;
    }
    ready = ready.compose(v -> syncLibrary()).compose(v -> syncReports());
    vertx.eventBus().<JsonObject>localConsumer(Addresses.LEADERSHIP, message -> {
      if (message.replyAddress() == null) {
        lead(message.body().getBoolean("leading", false));
      }
    });
    return ready.compose(v -> vertx.eventBus().<JsonObject>request(Addresses.LEADERSHIP, new JsonObject()))
        .onSuccess(reply -> lead(reply.body().getBoolean("leading", false))).mapEmpty();
  }

  private static Map<String, Object> variables(JsonObject body) {
    Object vars = body == null ? null : body.getValue("variables");
    if (vars != null && !(vars instanceof JsonObject)) {
      throw new io.faultline.chaos.config.ChaosConfigException("variables", "must be an object");
    }
    return vars == null ? Map.of() : ((JsonObject) vars).getMap();
  }

  /** Leadership changed: the leader answers the cluster's orchestration requests and resumes an unfinished run. */
  private void lead(boolean now) {
    boolean registered = !leaderConsumers.isEmpty();
    leading = now;
    if (now == registered) {
      return;
    }
    leaderConsumers.forEach(MessageConsumer::unregister);
    leaderConsumers.clear();
    if (!now) {
      return;
    }
    handlers.forEach((op, handler) -> leaderConsumers.add(vertx.eventBus().<JsonObject>consumer(LEADER + "." + op, message -> {
      try {
        message.reply(handler.apply(message.body()));
      } catch (RuntimeException e) {
        ControlError.fail(message, e);
      }
    })));
    runs().compose(map -> map.get("current")).onSuccess(checkpoint -> {
      if (checkpoint instanceof JsonObject cp && (current == null || !current.running())) {
        LOG.info(() -> "this node leads now: resuming orchestration run " + cp.getString("run_id"));
        OrchestrationParser.Result parsed = OrchestrationParser.parse(cp.getString("text"));
        if (parsed.valid()) {
          launch(parsed.orchestration().withVariables(cp.getJsonObject("overrides").getMap()), cp.getString("text"),
              cp.getJsonObject("overrides").getMap(), cp.getString("run_id"), cp);
        }
      }
    });
  }

  private final Map<String, Function<JsonObject, JsonObject>> handlers = new LinkedHashMap<>();

  /** A local address whose work the leader does: answered here when this node leads (or stands alone), else forwarded. */
  private void routed(String address, String op, Function<JsonObject, JsonObject> handler) {
    handlers.put(op, handler);
    vertx.eventBus().<JsonObject>localConsumer(address, message -> {
      if (leading) {
        try {
          message.reply(handler.apply(message.body()));
        } catch (RuntimeException e) {
          ControlError.fail(message, e);
        }
        return;
      }
      // A short timeout: right after the leader dies its address may still be routed to it until a new leader registers.
      vertx.eventBus().<JsonObject>request(LEADER + "." + op, message.body(), new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(3_000))
          .onComplete(ar -> {
            if (ar.succeeded()) {
              message.reply(ar.result().body());
            } else if (ar.cause() instanceof ReplyException r && r.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
              ControlError.fail(message, ar.cause());
            } else {
              ControlError.fail(message, 503, "the cluster's leader did not answer (" + ar.cause().getMessage()
                  + "); if it just failed, a new leader takes over within the failure timeout", null);
            }
          });
    });
  }

  private Future<AsyncMap<String, Object>> runs() {
    return vertx.sharedData().getAsyncMap("faultline.orchestration.runs");
  }

  /** Shutting down ends a run like a stop: its chaos is undone before the node goes. */
  @Override
  public Future<?> stop() {
    if (scheduler >= 0) {
      vertx.cancelTimer(scheduler);
    }
    if (current == null || !current.running()) {
      return Future.succeededFuture();
    }
    current.stop("stopped");
    Promise<Void> ended = Promise.promise();
    currentDone.onComplete(v -> ended.tryComplete());
    vertx.setTimer(5_000, id -> ended.tryComplete());
    return ended.future();
  }

  /** Every minute, runs the library entries whose schedule names it (unless a run is going on). */
  private void scheduleNextMinute() {
    long now = System.currentTimeMillis();
    long delay = 60_000 - now % 60_000 + 50;
    scheduler = vertx.setTimer(delay, id -> {
      scheduleNextMinute();
      if (!leading) {
        return; // every node holds the library; the leader runs its schedules
      }
      LocalDateTime minute = LocalDateTime.now();
      library.entries().forEach((name, text) -> {
        Model.Orchestration o = OrchestrationParser.parse(text).orchestration();
        if (o != null && o.schedule() != null && Cron.parse(o.schedule()).matches(minute)) {
          if (current != null && current.running()) {
            LOG.warning(() -> "scheduled orchestration " + name + " skipped: " + current.status().getString("name") + " is running");
          } else {
            LOG.info(() -> "running scheduled orchestration " + name + " (" + o.schedule() + ")");
            startRun(text, Map.of());
          }
        }
      });
    });
  }

  private JsonObject importDir(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new io.faultline.chaos.config.ChaosConfigException("dir", "is not a directory on this node: " + dir);
    }
    JsonArray imported = new JsonArray();
    JsonArray rejected = new JsonArray();
    try {
      for (Library.File file : Library.files(dir)) {
        String base = file.base();
        String name = file.name();
        String text = file.text();
        OrchestrationParser.Result parsed = OrchestrationParser.parse(text);
        if (!parsed.valid() || !name.matches(ENTRY_NAME)) {
          JsonArray problems = new JsonArray();
          parsed.problems().forEach(p -> problems.add(p.toString()));
          if (!name.matches(ENTRY_NAME)) {
            problems.add("the file name is not a usable entry name (letters, digits, '_', '-', '.')");
          }
          rejected.add(new JsonObject().put("file", base).put("problems", problems));
          continue;
        }
        change(Library.change(name, text));
        imported.add(name);
      }
    } catch (IOException e) {
      throw new io.faultline.chaos.config.ChaosConfigException("dir", "could not read " + dir + ": " + e.getMessage());
    }
    return new JsonObject().put("imported", imported).put("rejected", rejected);
  }

  private JsonObject exportDir(Path dir) {
    JsonArray exported = new JsonArray();
    try {
      Files.createDirectories(dir);
      for (var entry : library.entries().entrySet()) {
        Path file = dir.resolve(entry.getKey() + Library.extension(entry.getValue()));
        Files.writeString(file, entry.getValue());
        exported.add(file.toString());
      }
    } catch (IOException e) {
      throw new io.faultline.chaos.config.ChaosConfigException("dir", "could not write to " + dir + ": " + e.getMessage());
    }
    return new JsonObject().put("exported", exported);
  }

  /** A change made here: applied, and in a cluster sent to every node. */
  private void change(JsonObject change) {
    library.apply(change);
    if (clustered) {
      vertx.eventBus().publish(LIBRARY_CHANGED, change);
    }
  }

  /**
   * Joining a cluster: takes every change other nodes hold (from whichever answers first), sends them the
   * changes only this node holds, then answers later joiners itself. Changes made anywhere from now on
   * reach every node on {@link #LIBRARY_CHANGED}.
   */
  private Future<Void> syncLibrary() {
    return joinSync(LIBRARY_CHANGED, change -> {
      if (usable(change)) {
        library.apply(change);
      }
    }, LIBRARY_SYNC, answer -> {
      JsonArray theirs = new JsonArray();
      answer.forEach(c -> {
        if (c instanceof JsonObject change && usable(change)) {
          theirs.add(change);
        }
      });
      library.merge(theirs).forEach(mine -> vertx.eventBus().publish(LIBRARY_CHANGED, mine));
    }, library::snapshot);
  }

  /**
   * How a node joins what the cluster shares (library changes, reports): it listens on {@code updates}
   * first, then asks {@code sync} once and hands the answer to {@code adopt} (no answer: it is the first
   * node), and only then answers later joiners on {@code sync} with {@code snapshot} (so it never asks itself).
   */
  private Future<Void> joinSync(String updates, Consumer<JsonObject> onUpdate, String sync, Consumer<JsonArray> adopt,
      Supplier<JsonArray> snapshot) {
    return vertx.eventBus().<JsonObject>consumer(updates, message -> onUpdate.accept(message.body())).completion()
        .compose(v -> vertx.eventBus().<JsonObject>request(sync, new JsonObject(), new DeliveryOptions().setSendTimeout(5_000))
            .onSuccess(reply -> adopt.accept(reply.body().getJsonArray("items", new JsonArray())))
            .<Void>mapEmpty()
            .recover(e -> Future.succeededFuture()))
        .compose(v -> vertx.eventBus().<JsonObject>consumer(sync,
            message -> message.reply(new JsonObject().put("items", snapshot.get()))).completion());
  }

  /**
   * A change that came over the event bus (from another node, or a script on the bridge) is applied only
   * if it names an entry properly, carries a time and, unless it deletes, a valid orchestration.
   */
  private static boolean usable(JsonObject change) {
    String name = change.getValue("name") instanceof String n ? n : null;
    Object text = change.getValue("text");
    boolean ok = name != null && name.matches(ENTRY_NAME) && change.getValue("at") instanceof Number
        && (text == null || text instanceof String t && OrchestrationParser.parse(t).valid());
    if (!ok) {
      LOG.warning(() -> "library change ignored: not a valid entry: " + change.encode());
    }
    return ok;
  }

  private Future<Void> loadLibrary() {
    return vertx.executeBlocking(() -> {
      library.load((name, text) -> {
        boolean usable = name.matches(ENTRY_NAME) && OrchestrationParser.parse(text).valid();
        if (!usable) {
          LOG.warning(() -> "library entry " + name + " in the data directory is not valid and was left out (validate it)");
        }
        return usable;
      });
      return null;
    });
  }

  private static String entryName(JsonObject body) {
    String name = required(body, "name");
    if (!name.matches(ENTRY_NAME)) {
      throw new io.faultline.chaos.config.ChaosConfigException("name", "must be 1-64 letters, digits, '_', '-' or '.', got " + name);
    }
    return name;
  }

  private static String required(JsonObject body, String field) {
    Object value = body == null ? null : body.getValue(field);
    if (!(value instanceof String s) || s.isBlank()) {
      throw new io.faultline.chaos.config.ChaosConfigException(field, "is required");
    }
    return s;
  }

  private static RuntimeException invalid(OrchestrationParser.Result parsed) {
    return new io.faultline.chaos.config.ChaosConfigException(parsed.problems().get(0).path(),
        "invalid orchestration: " + parsed.problems().get(0) + (parsed.problems().size() > 1
            ? " (and " + (parsed.problems().size() - 1) + " more; validate it for all)" : ""));
  }

  private JsonObject startRun(String text, Map<String, Object> variables) {
    if (current != null && current.running()) {
      throw new io.faultline.chaos.config.ChaosConfigException("orchestration",
          "orchestration " + current.status().getString("name") + " is running; stop it first");
    }
    OrchestrationParser.Result parsed = OrchestrationParser.parse(text);
    if (!parsed.valid()) {
      throw invalid(parsed);
    }
    return launch(parsed.orchestration().withVariables(variables), text, variables,
        "run-" + UUID.randomUUID().toString().substring(0, 8), null);
  }

  private JsonObject launch(Model.Orchestration orchestration, String text, Map<String, Object> variables, String id,
      JsonObject resumeFrom) {
    Run run = new Run(vertx, orchestration, permissions, id);
    if (resumeFrom != null) {
      run.resume(resumeFrom);
    }
    if (clustered) {
      JsonObject fixed = new JsonObject().put("text", text).put("overrides", new JsonObject(variables));
      run.checkpointTo(cp -> runs().compose(map -> map.put("current", cp.mergeIn(fixed))));
    }
    current = run;
    Future<JsonObject> finished = run.start();
    currentDone = finished.<Void>mapEmpty().otherwiseEmpty();
    finished.onSuccess(report -> {
      lastStatus = run.status();
      keep(report);
      if (clustered) {
        runs().compose(map -> map.remove("current"));
        vertx.eventBus().publish(REPORT_KEPT, report);
      }
      vertx.eventBus().publish(FINISHED, report, new io.vertx.core.eventbus.DeliveryOptions().setLocalOnly(true));
      LOG.info(() -> "orchestration " + report.getString("name") + " " + report.getString("status") + " (" + report.getString("id") + ")");
    });
    return run.status();
  }

  private static JsonObject validation(OrchestrationParser.Result result) {
    JsonArray problems = new JsonArray();
    result.problems().forEach(p -> problems.add(new JsonObject().put("path", p.path()).put("line", p.line()).put("message", p.message())));
    return new JsonObject().put("valid", result.valid()).put("problems", problems)
        .put("name", result.valid() ? result.orchestration().name() : null);
  }

  private static String text(JsonObject body) {
    Object text = body == null ? null : body.getValue("text");
    if (!(text instanceof String s) || s.isBlank()) {
      throw new io.faultline.chaos.config.ChaosConfigException("text", "the orchestration (YAML or JSON text) is required");
    }
    return s;
  }

  private void answer(String address, Function<JsonObject, JsonObject> action) {
    vertx.eventBus().<JsonObject>localConsumer(address, (Message<JsonObject> message) -> {
      try {
        message.reply(action.apply(message.body()));
      } catch (RuntimeException e) {
        ControlError.fail(message, e);
      }
    });
  }

  /** Keeps {@code report} (once: a report that is already here is left alone), the newest {@link #KEPT} in memory and on disk. */
  private void keep(JsonObject report) {
    String id = report.getString("id");
    if (id == null || reports.stream().anyMatch(r -> id.equals(r.getString("id")))) {
      return;
    }
    List<JsonObject> sorted = new ArrayList<>(reports);
    sorted.add(report);
    sorted.sort(Comparator.comparingLong(r -> r.getLong("started_at", 0L)));
    reports.clear();
    reports.addAll(sorted.subList(Math.max(0, sorted.size() - KEPT), sorted.size()));
    if (reports.contains(report)) {
      saveReport(report);
    }
  }

  /**
   * Joining a cluster: keeps the reports another node holds, then answers later joiners itself; from
   * now on every report the leader keeps arrives on {@link #REPORT_KEPT}. So whichever node leads next
   * serves the reports of runs its predecessors finished.
   */
  private Future<Void> syncReports() {
    return joinSync(REPORT_KEPT, this::keep, REPORTS_SYNC, answer -> answer.forEach(r -> keep((JsonObject) r)),
        () -> new JsonArray(new ArrayList<>(reports)));
  }

  private void saveReport(JsonObject report) {
    if (reportDir == null) {
      return;
    }
    vertx.fileSystem().mkdirs(reportDir.toString())
        .compose(v -> vertx.fileSystem().writeFile(reportDir.resolve(report.getString("id") + ".json").toString(),
            Buffer.buffer(report.encodePrettily())))
        .onFailure(e -> LOG.warning(() -> "could not keep report " + report.getString("id") + ": " + e.getMessage()));
  }

  private Future<Void> loadReports() {
    if (reportDir == null) {
      return Future.succeededFuture();
    }
    return vertx.fileSystem().exists(reportDir.toString()).compose(exists -> !exists ? Future.succeededFuture()
        : vertx.fileSystem().readDir(reportDir.toString(), ".*\\.json").compose(files -> {
          Future<Void> chain = Future.succeededFuture();
          for (String file : files) {
            chain = chain.compose(v -> vertx.fileSystem().readFile(file).map(b -> {
              reports.add(b.toJsonObject());
              return null;
            }));
          }
          return chain.map(v -> {
            List<JsonObject> sorted = new ArrayList<>(reports);
            sorted.sort(Comparator.comparingLong(r -> r.getLong("started_at")));
            reports.clear();
            reports.addAll(sorted.subList(Math.max(0, sorted.size() - KEPT), sorted.size()));
            return null;
          });
        }));
  }
}
