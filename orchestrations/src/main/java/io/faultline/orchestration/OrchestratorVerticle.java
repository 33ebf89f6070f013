package io.faultline.orchestration;

import io.faultline.chaos.control.ControlError;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
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

  private static final Logger LOG = Logger.getLogger(OrchestratorVerticle.class.getName());
  private static final int KEPT = 50;

  private final Run.Permissions permissions;
  private final Path reportDir;
  private final Deque<JsonObject> reports = new ArrayDeque<>();
  private Run current;
  private JsonObject lastStatus = new JsonObject().put("is_running", false);

  /** {@code dataDir} may be null (reports in memory only). */
  public OrchestratorVerticle(boolean allowCommands, Set<String> httpAllowList, Path dataDir) {
    this.permissions = new Run.Permissions(allowCommands, Set.copyOf(httpAllowList));
    this.reportDir = dataDir == null ? null : dataDir.resolve("reports");
  }

  @Override
  public Future<?> start() {
    answer(VALIDATE, body -> validation(OrchestrationParser.parse(text(body))));
    answer(START, this::startRun);
    answer(STOP, body -> {
      if (current == null || !current.running()) {
        throw new io.faultline.chaos.state.ChaosState.NotFound("run", "no orchestration is running");
      }
      current.stop("stopped");
      return current.status();
    });
    answer(STATUS, body -> current == null ? lastStatus : current.status());
    answer(REPORTS, body -> {
      JsonArray list = new JsonArray();
      reports.forEach(r -> list.add(new JsonObject().put("id", r.getString("id")).put("name", r.getString("name"))
          .put("status", r.getString("status")).put("started_at", r.getLong("started_at"))));
      return new JsonObject().put("reports", list);
    });
    answer(REPORT, body -> {
      String id = body == null ? "latest" : body.getString("id", "latest");
      JsonObject report = id.equals("latest") ? reports.peekLast()
          : reports.stream().filter(r -> id.equals(r.getString("id"))).findFirst().orElse(null);
      if (report == null) {
        throw new io.faultline.chaos.state.ChaosState.NotFound("id", id.equals("latest") ? "no report yet" : "no report " + id);
      }
      return report;
    });
    return loadReports();
  }

  private JsonObject startRun(JsonObject body) {
    if (current != null && current.running()) {
      throw new io.faultline.chaos.config.ChaosConfigException("orchestration",
          "orchestration " + current.status().getString("name") + " is running; stop it first");
    }
    OrchestrationParser.Result parsed = OrchestrationParser.parse(text(body));
    if (!parsed.valid()) {
      throw new io.faultline.chaos.config.ChaosConfigException(parsed.problems().get(0).path(),
          "invalid orchestration: " + parsed.problems().get(0) + (parsed.problems().size() > 1
              ? " (and " + (parsed.problems().size() - 1) + " more; validate it for all)" : ""));
    }
    Run run = new Run(vertx, parsed.orchestration(), permissions, "run-" + UUID.randomUUID().toString().substring(0, 8));
    current = run;
    run.start().onSuccess(report -> {
      lastStatus = run.status();
      reports.addLast(report);
      while (reports.size() > KEPT) {
        reports.removeFirst();
      }
      saveReport(report);
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
            java.util.List<JsonObject> sorted = new java.util.ArrayList<>(reports);
            sorted.sort(java.util.Comparator.comparingLong(r -> r.getLong("started_at")));
            reports.clear();
            reports.addAll(sorted.subList(Math.max(0, sorted.size() - KEPT), sorted.size()));
            return null;
          });
        }));
  }
}
