package io.faultline.orchestration;

import io.faultline.chaos.control.Addresses;
import io.faultline.chaos.control.ControlError;
import io.faultline.chaos.control.InternalAddresses;
import io.faultline.chaos.state.ChaosState;
import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.orchestration.hook.HookRunner;
import io.faultline.orchestration.hook.HttpAllowList;
import io.faultline.orchestration.hook.Permissions;
import io.faultline.orchestration.library.LibraryService;
import io.faultline.orchestration.model.GuardedAction;
import io.faultline.orchestration.model.Problem;
import io.faultline.orchestration.library.Scheduler;
import io.faultline.orchestration.parse.Parsing;
import io.faultline.orchestration.parse.ScenarioNames;
import io.faultline.orchestration.parse.Requests;
import io.faultline.orchestration.report.ReportStore;
import io.faultline.orchestration.run.RunClock;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Runs orchestrations on this node, one at a time, and keeps their reports (on disk under
 * {@code DATA_DIR/reports} when a data directory is set, so they survive restarts) and the library
 * ({@code DATA_DIR/library}). Answers the {@code faultline.orchestration.*} addresses and publishes
 * progress on {@code faultline.orchestration.progress}. This class only wires: runs are {@link Runs},
 * distributed tasks' runs on this node {@link TaskRuns}, reports a {@link ReportStore}, the library a
 * {@link LibraryService}.
 */
public final class OrchestratorVerticle extends VerticleBase {

  public static final String VALIDATE = "faultline.orchestration.validate";
  public static final String START = "faultline.orchestration.start";
  public static final String STOP = "faultline.orchestration.stop";
  public static final String STATUS = Addresses.ORCHESTRATION_STATUS;
  /**
   * A node-local map ({@code experiment} → id) held while an experiment sets the chaos config itself (a
   * breaking-point search): no orchestration starts on the node meanwhile, as each would restore the other's config.
   */
  public static final String STEERING = io.faultline.chaos.control.InternalAddresses.STEERING;
  public static final String REPORTS = "faultline.orchestration.reports";
  public static final String REPORT = "faultline.orchestration.report";
  public static final String PROGRESS = "faultline.orchestration.progress";
  /** Published (to this node) with the report when a run it executed ends. */
  public static final String FINISHED = "faultline.orchestration.finished";
  /**
   * Published (to this node) for each step a run executed as it ends: {@code {"orchestration", "mode", "step": the
   * step's result as the report writes it}}. Every step, where a report keeps the newest 1,000.
   */
  public static final String STEP_ENDED = "faultline.orchestration.step.ended";
  /** Published (to this node) for each hook a run executed: {@code {"type", "hook", "result": succeeded|failed}}. */
  public static final String HOOK = "faultline.orchestration.hook";
  public static final String EXECUTE = "faultline.orchestration.execute";
  public static final String LIBRARY_LIST = "faultline.orchestration.library.list";
  public static final String LIBRARY_GET = "faultline.orchestration.library.get";
  public static final String LIBRARY_PUT = "faultline.orchestration.library.put";
  public static final String LIBRARY_DELETE = "faultline.orchestration.library.delete";
  public static final String LIBRARY_IMPORT = "faultline.orchestration.library.import";
  public static final String LIBRARY_EXPORT = "faultline.orchestration.library.export";
  /**
   * Published by the node that runs schedules (the leader) each time an entry's schedule comes due:
   * {@code {name, schedule, due_at, outcome: started|skipped|failed, run_id | reason}}.
   */
  public static final String SCHEDULED = "faultline.orchestration.scheduled";
  /** Cluster-wide: a library change made on some node ({@code {"name", "text" (null: deleted), "at"}}), for every node to apply. */
  static final String LIBRARY_CHANGED = "faultline.orchestration.library.changed";
  /** Cluster-wide: asked by a node that joins, answered by one that runs with its whole library ({@code {"items": [changes]}}). */
  static final String LIBRARY_SYNC = "faultline.orchestration.library.sync";
  /** Cluster-wide: a report the leader kept, for every node to keep too (a later leader serves it). */
  static final String REPORT_KEPT = "faultline.orchestration.report.kept";
  /** Cluster-wide: asked by a node that joins, answered by one that runs with its reports ({@code {"items": [reports]}}). */
  static final String REPORTS_SYNC = "faultline.orchestration.reports.sync";
  /** Where the leader of a cluster answers what any node is asked: {@code LEADER + ".start"} and so on. */
  static final String LEADER = "faultline.orchestration.leader";

  private final Permissions permissions;
  private final RunClock clock;
  private final boolean clustered;
  private final Path dataDir;
  private boolean leading;
  private final List<MessageConsumer<?>> leaderConsumers = new ArrayList<>();
  private final Map<String, Function<JsonObject, Future<JsonObject>>> handlers = new LinkedHashMap<>();
  private ReportStore reports;
  private LibraryService library;
  private Scheduler scheduler;
  private Runs runs;
  private TaskRuns taskRuns;

  /**
   * {@code dataDir} may be null (reports in memory only). In a cluster ({@code clustered}) runs execute on
   * the leader: every node forwards starts, stops and queries to it, the running step is checkpointed in
   * the cluster, and a new leader resumes a run its predecessor left unfinished.
   */
  public OrchestratorVerticle(boolean allowCommands, Set<String> httpAllowList, Path dataDir, boolean clustered) {
    this(allowCommands, httpAllowList, dataDir, clustered, null);
  }

  /** With the clock runs wait on (tests: a virtual one); null for the wall clock. */
  OrchestratorVerticle(boolean allowCommands, Set<String> httpAllowList, Path dataDir, boolean clustered, RunClock clock) {
    this.clock = clock;
    this.clustered = clustered;
    this.leading = !clustered;
    this.permissions = new Permissions(allowCommands, httpAllowList);
    try {
      new HttpAllowList(httpAllowList); // read now, so a wrong entry stops the node at start, naming it
    } catch (IllegalArgumentException e) {
      throw new ChaosConfigException("orchestration.http_allow_list", e.getMessage());
    }
    this.dataDir = dataDir;
  }

  @Override
  public Future<?> start() {
    reports = new ReportStore(vertx, dataDir == null ? null : dataDir.resolve("reports"));
    library = new LibraryService(vertx, dataDir == null ? null : dataDir.resolve("library"),
        change -> {
          if (clustered) {
            vertx.eventBus().publish(LIBRARY_CHANGED, change);
          }
        });
    RunClock runClock = clock == null ? RunClock.system(vertx) : clock;
    HookRunner hooks = new HookRunner(vertx, vertx.createHttpClient(), permissions);
    RunEvents events = new RunEvents(vertx, dataDir, clustered, reports::keep);
    runs = new Runs(vertx, runClock, hooks, clustered, events);
    taskRuns = new TaskRuns(vertx, runClock, hooks, events, library::text);
    scheduler = new Scheduler(vertx, runClock, library.library(), () -> leading, (name, text) -> runs.startScheduled(text),
        outcome -> vertx.eventBus().publish(SCHEDULED, outcome)); // every node's library shows it; the metric counts the local one
    vertx.eventBus().<JsonObject>consumer(SCHEDULED, m -> library.scheduled(m.body()));
    if (clustered) {
      // every node says that a run's end will undo a change made on it: the run's progress reaches every node (set on
      // the leader alone, a change made on another node, or on a new leader after it resumed the run, went unsaid)
      vertx.eventBus().<JsonObject>consumer(PROGRESS, m -> steering(m.body()));
    }

    answer(VALIDATE, this::validate);
    // the leader parses the text (within Parsing's budget) and checks its scenarios before it answers: forwarded with
    // the 3 s the other requests get, a slow parse was answered 503 while the leader went on to start the run
    routed(START, "start", Parsing.BUDGET_MS + 5_000, OrchestratorVerticle::startFields, body -> runs.start(Requests.text(body),
        Requests.variables(body), body == null ? null : body.getString("experiment")));
    routed(STOP, "stop", RunEvents.WIND_DOWN_MS + 3_000, body -> runs.stop()); // answers once its run has wound down
    routed(STATUS, "status", body -> Future.succeededFuture(runs.status()));
    routed(REPORTS, "reports", body -> Future.succeededFuture(new JsonObject().put("reports", reports.list())));
    routed(REPORT, "report", body -> Future.succeededFuture(report(body)));
    vertx.eventBus().<JsonObject>localConsumer(EXECUTE, this::execute);
    answer(LIBRARY_LIST, body -> library.list());
    answer(LIBRARY_GET, library::get);
    // the run going on that names a scenario in one of its steps: asked of the leader, where runs execute
    routed(InternalAddresses.RUN_STEP_USING, "step_using", body -> {
      String step = runs.stepUsing(body == null ? null : body.getString("scenario"));
      return Future.succeededFuture(step == null ? new JsonObject() : new JsonObject().put("name", runs.status().getString("name")).put("step", step));
    });
    // the library entries that name a scenario, and the cluster's running orchestration if one of its steps does (a delete asks)
    answer(Addresses.LIBRARY_USES, body -> library.uses(body).compose(uses -> vertx.eventBus()
        .<JsonObject>request(InternalAddresses.RUN_STEP_USING, body == null ? new JsonObject() : body)
        .map(reply -> reply.body().containsKey("step") ? uses.put("running", reply.body()) : uses)
        .otherwise(e -> uses))); // no leader to ask for a moment: the library's uses still count
    answer(LIBRARY_PUT, library::put);
    answer(LIBRARY_DELETE, library::delete);
    answer(LIBRARY_IMPORT, library::importDir);
    answer(LIBRARY_EXPORT, library::exportDir);
    // A distributed task's items: checked where the task is submitted, run on the item's node (never routed to the leader).
    answer(InternalAddresses.TASK_ORCHESTRATION_CHECK, taskRuns::check);
    answer(InternalAddresses.TASK_ORCHESTRATION_RUN, taskRuns::start);
    answer(InternalAddresses.TASK_ORCHESTRATION_STOP, taskRuns::stop);
    vertx.eventBus().<JsonObject>localConsumer(InternalAddresses.TASK_ITEMS, m -> taskRuns.followItems(m.body()));
    Future<Void> ready = reports.load().onSuccess(v -> runs.lastReported(reports.latest()))
        .compose(v -> library.load()).onSuccess(v -> scheduler.start());
    if (!clustered) {
      return ready;
    }
    ready = ready
        .compose(v -> ClusterShare.join(vertx, LIBRARY_CHANGED, library::applyRemote, LIBRARY_SYNC,
            theirs -> library.merge(theirs).onSuccess(mine -> mine.forEach(c -> vertx.eventBus().publish(LIBRARY_CHANGED, c))),
            library::snapshot))
        .compose(v -> ClusterShare.join(vertx, REPORT_KEPT, reports::keep, REPORTS_SYNC,
            theirs -> theirs.forEach(r -> reports.keep((JsonObject) r)), reports::snapshot));
    vertx.eventBus().<JsonObject>localConsumer(Addresses.LEADERSHIP, message -> {
      if (message.replyAddress() == null) {
        lead(message.body().getBoolean("leading", false));
      }
    });
    return ready.compose(v -> vertx.eventBus().<JsonObject>request(Addresses.LEADERSHIP, new JsonObject()))
        .onSuccess(reply -> lead(reply.body().getBoolean("leading", false))).mapEmpty();
  }

  /** Shutting down ends runs (the node's and task items') like a stop: their chaos is undone before the node goes. */
  @Override
  public Future<?> stop() {
    if (scheduler != null) {
      scheduler.stop();
    }
    return runs == null ? Future.succeededFuture() : Future.join(runs.shutdown(), taskRuns.shutdown()).eventually(reports::settled);
  }

  /**
   * Validation as a start would see it: the orchestration, and the scenarios it names on this node, all
   * problems at once (an unknown scenario beside the document's other problems, in line order).
   */
  private Future<JsonObject> validate(JsonObject body) {
    return Parsing.parse(vertx, Requests.text(body)).compose(parsed -> (parsed.scenarios().isEmpty()
        ? Future.succeededFuture(Requests.validation(parsed.problems(), parsed))
        : ScenarioNames.onNode(vertx.eventBus()).map(known -> {
          List<Problem> all = new ArrayList<>(parsed.problems());
          all.addAll(ScenarioNames.unknown(parsed.scenarios(), known));
          all.sort(java.util.Comparator.comparingInt(Problem::line));
          return Requests.validation(all, parsed);
        }))
        .map(result -> result.put("warnings", warnings(parsed.guarded(), parsed.warnings()))));
  }

  /**
   * What this node's permissions will refuse when the hooks run: a command while commands are off, an
   * http_request to an origin outside the allow list. The run reports each as a warning, and fails a required
   * hook's step: validate says so before it starts. A URL filled in as the hook runs (${...}, {{...}}) is
   * checked then; one that is no URL at all is a problem of the document already.
   */
  private JsonArray warnings(List<GuardedAction> guarded, List<Problem> parsed) {
    List<Problem> out = new ArrayList<>(parsed);
    HttpAllowList allowList = new HttpAllowList(permissions.httpAllowList());
    for (GuardedAction a : guarded) {
      String why = null;
      if (a.type().equals("command") && !permissions.allowCommands()) {
        why = "command hooks are off on this node (orchestration.allow_commands: false): running " + a.target() + " will fail";
      } else if (a.type().equals("http_request") && !io.faultline.orchestration.parse.HookParser.templated(a.target())) {
        String refusal;
        try {
          refusal = allowList.refusal(new java.net.URI(a.target().trim()));
        } catch (java.net.URISyntaxException e) {
          refusal = null;
        }
        why = refusal == null ? null : "http_request to " + a.target() + " will be refused: " + refusal;
      }
      if (why != null) {
        out.add(new Problem(a.path(), a.line(), why));
      }
    }
    // in the order of the text, as its problems are read
    return new JsonArray(out.stream().sorted(java.util.Comparator.comparingInt(Problem::line))
        .map(w -> new JsonObject().put("path", w.path()).put("line", w.line()).put("message", w.message())).toList());
  }

  private JsonObject report(JsonObject body) {
    String id = body == null ? "latest" : body.getString("id", "latest");
    JsonObject report = id.equals("latest") ? reports.latest() : reports.get(id);
    if (report == null) {
      throw new ChaosState.NotFound("id", id.equals("latest") ? "no report yet (a distributed task's item's report is read by its run_id, in the task's status)" : "no report " + id
          + " (this node keeps the newest " + ReportStore.KEPT + "; history keeps every run's: GET /api/history/runs/" + id + ")");
    }
    return report;
  }

  /** The entry comes from this node's library; the run, like any start, goes to the leader. */
  private void execute(Message<JsonObject> message) {
    JsonObject start;
    try {
      for (String field : message.body() == null ? java.util.Set.<String>of() : message.body().fieldNames()) {
        if (!field.equals("name") && !field.equals("variables")) {
          throw new ChaosConfigException(field, "unknown field; execute takes name and variables");
        }
      }
      String name = LibraryService.entryName(message.body());
      String text = library.text(name);
      if (text == null) {
        throw new ChaosState.NotFound("name", "no library entry named " + name);
      }
      start = new JsonObject().put("text", text).put("variables", new JsonObject(Requests.variables(message.body())));
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
    handlers.forEach((op, handler) -> leaderConsumers.add(vertx.eventBus().<JsonObject>consumer(LEADER + "." + op,
        message -> reply(message, handler))));
    runs.resumeUnfinished();
  }

  /** Follows a run's progress ({@code status}) into this node's steering map: the run holds the chaos config until it ends. */
  private void steering(JsonObject status) {
    if (status.getString("run_id") == null) {
      return;
    }
    io.vertx.core.shareddata.LocalMap<Object, Object> steering = vertx.sharedData().getLocalMap(STEERING);
    String run = status.getString("name") + " (" + status.getString("run_id") + ")";
    if (status.getBoolean("is_running", false)) {
      steering.put("run", run);
    } else if (steering.get("run") instanceof String held && held.endsWith("(" + status.getString("run_id") + ")")) {
      steering.removeIfPresent("run", held); // by its id: a run ended unresumed may be named by a checkpoint without its name
    }
  }

  /** What every node holds as the leader does: answered here when the leader cannot be reached. */
  private static final java.util.Set<String> READ_ANYWHERE = java.util.Set.of("reports", "report");

  /** A local address whose work the leader does: answered here when this node leads (or stands alone), else forwarded. */
  private void routed(String address, String op, Function<JsonObject, Future<JsonObject>> handler) {
    routed(address, op, 3_000, handler);
  }

  /** As {@link #routed(String, String, Function)}, waiting up to {@code timeoutMs} for the leader's answer. */
  private void routed(String address, String op, long timeoutMs, Function<JsonObject, Future<JsonObject>> handler) {
    routed(address, op, timeoutMs, message -> { }, handler);
  }

  /**
   * A start takes {@code text} and {@code variables}; {@code experiment} (a run of an A/B test, past the hold the test keeps
   * on the chaos config) only from the test itself, which says so in the message's source. Sent by a script over the
   * bridge, it started a run in the middle of a running test (whose next sample failed, both overwriting the chaos
   * config), and a misspelt {@code variabels} ran with the file's own values, as the REST API refuses.
   */
  private static void startFields(Message<JsonObject> message) {
    JsonObject body = message.body();
    for (String field : body == null ? java.util.Set.<String>of() : body.fieldNames()) {
      if (field.equals("experiment")) {
        if (!("experiment:" + body.getValue("experiment")).equals(message.headers().get(Addresses.SOURCE_HEADER))) {
          throw new ChaosConfigException("experiment", "is for the gateway's own experiments: a start takes text and variables");
        }
      } else if (!field.equals("text") && !field.equals("variables")) {
        throw new ChaosConfigException(field, "unknown field; a start takes text and variables");
      }
    }
  }

  /**
   * As {@link #routed(String, String, Function)}, waiting up to {@code timeoutMs} for the leader's answer, each request
   * first passing {@code check} (which throws what is wrong with it) on the node it reached.
   */
  private void routed(String address, String op, long timeoutMs, java.util.function.Consumer<Message<JsonObject>> check,
      Function<JsonObject, Future<JsonObject>> handler) {
    handlers.put(op, handler);
    vertx.eventBus().<JsonObject>localConsumer(address, message -> {
      try {
        check.accept(message);
      } catch (RuntimeException e) {
        ControlError.fail(message, e);
        return;
      }
      if (leading) {
        reply(message, handler);
        return;
      }
      // A short timeout: right after the leader dies its address may still be routed to it until a new leader registers.
      vertx.eventBus().<JsonObject>request(LEADER + "." + op, message.body(), new DeliveryOptions().setSendTimeout(timeoutMs))
          .onComplete(ar -> {
            if (ar.succeeded()) {
              message.reply(ar.result().body());
            } else if (ar.cause() instanceof ReplyException r && r.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
              ControlError.fail(message, ar.cause());
            } else if (READ_ANYWHERE.contains(op)) {
              // every node keeps every report: read here when the leader cannot be reached (a node merged back after
              // a long pause can miss the leader's registrations, and answered 503 for minutes)
              reply(message, handler);
            } else {
              ControlError.fail(message, 503, "the cluster's leader did not answer (" + ar.cause().getMessage()
                  + "); if it just failed, a new leader takes over within the failure timeout"
                  + (op.equals("start") ? "; if it is only slow, the run may have started there (GET /api/chaos/orchestration/status)" : ""),
                  null);
            }
          });
    });
  }

  private void answer(String address, Function<JsonObject, Future<JsonObject>> action) {
    vertx.eventBus().<JsonObject>localConsumer(address, message -> reply(message, action));
  }

  /** Answers {@code message} with what {@code action} makes of its body, or the failure (thrown or failed): always. */
  private static void reply(Message<JsonObject> message, Function<JsonObject, Future<JsonObject>> action) {
    Future<JsonObject> answer;
    try {
      answer = action.apply(message.body());
    } catch (RuntimeException e) {
      answer = Future.failedFuture(e);
    }
    answer.onComplete(ar -> {
      if (ar.succeeded()) {
        message.reply(ar.result());
      } else {
        ControlError.fail(message, ar.cause());
      }
    });
  }
}
