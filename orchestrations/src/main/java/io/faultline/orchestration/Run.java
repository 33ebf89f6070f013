package io.faultline.orchestration;

import io.faultline.chaos.config.ChaosJson;
import io.faultline.chaos.control.Addresses;
import io.faultline.orchestration.Model.Action;
import io.faultline.orchestration.Model.Assertion;
import io.faultline.orchestration.Model.Hook;
import io.faultline.orchestration.Model.Orchestration;
import io.faultline.orchestration.Model.Step;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One execution of an orchestration on this node. Steps apply their chaos through the control
 * addresses (the orchestrator never touches the chaos state itself), wait their duration on timers,
 * then read what the node's real traffic saw during the step ({@link Metrics#WINDOW_ADDRESS}). The
 * config that was active before the run is put back however it ends.
 */
final class Run {

  private static final Logger LOG = Logger.getLogger(Run.class.getName());
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{(?:variables\\.)?([A-Za-z0-9_.-]+)}");

  /** What the node allows hooks to do. */
  record Permissions(boolean allowCommands, Set<String> httpAllowList) {
  }

  private final Vertx vertx;
  private final Orchestration orchestration;
  private final Permissions permissions;
  private final HttpClient http;
  final String id;
  long startedAt = System.currentTimeMillis();
  private final Promise<JsonObject> done = Promise.promise();
  private final Map<String, Object> variables = new LinkedHashMap<>();
  private final Map<String, Double> customMetrics = new LinkedHashMap<>();
  private final List<JsonObject> results = new ArrayList<>();
  private final List<String> errors = new ArrayList<>();
  private final List<String> log = new ArrayList<>();
  private final Set<Long> timers = new HashSet<>();
  private final Map<String, Map<String, Object>> scenarios = new LinkedHashMap<>();
  private JsonObject before;
  private JsonObject lastMetrics = new JsonObject();
  private Boolean previousSucceeded;
  private String status = "running";
  private String currentStep;
  private int iteration;
  private int stepsDone;
  private long endedAt;
  private long guardSince = -1;
  private long guardTimer = -1;
  private int resumeIteration;
  private int resumeStep;
  private java.util.function.Consumer<JsonObject> checkpoints = c -> { };

  Run(Vertx vertx, Orchestration orchestration, Permissions permissions, String id) {
    this.vertx = vertx;
    this.orchestration = orchestration;
    this.permissions = permissions;
    this.http = vertx.createHttpClient();
    this.id = id;
    variables.putAll(orchestration.variables());
  }

  /** Where to hand the run's state after each step, so another node can resume it (see {@link #resume}). */
  Run checkpointTo(java.util.function.Consumer<JsonObject> sink) {
    this.checkpoints = sink;
    return this;
  }

  /** Takes over a run another node checkpointed: it goes on at the step that was running there. */
  Run resume(JsonObject checkpoint) {
    startedAt = checkpoint.getLong("started_at");
    resumeIteration = checkpoint.getInteger("iteration");
    resumeStep = checkpoint.getInteger("next_step");
    before = checkpoint.getJsonObject("before");
    variables.putAll(checkpoint.getJsonObject("run_variables").getMap());
    checkpoint.getJsonArray("results").forEach(r -> results.add((JsonObject) r));
    checkpoint.getJsonObject("custom_metrics").forEach(e -> customMetrics.put(e.getKey(), ((Number) e.getValue()).doubleValue()));
    checkpoint.getJsonArray("errors").forEach(e -> errors.add(String.valueOf(e)));
    checkpoint.getJsonArray("log").forEach(e -> log.add(String.valueOf(e)));
    stepsDone = results.size();
    log.add(Instant.now() + " resumed on another node at iteration " + resumeIteration + ", step " + (resumeStep + 1));
    return this;
  }

  private JsonObject checkpoint(int nextStep) {
    return new JsonObject()
        .put("run_id", id)
        .put("started_at", startedAt)
        .put("iteration", iteration)
        .put("next_step", nextStep)
        .put("before", before)
        .put("run_variables", new JsonObject(ChaosJson.toMap(variables)))
        .put("results", new JsonArray(results))
        .put("custom_metrics", new JsonObject(new LinkedHashMap<>(customMetrics)))
        .put("errors", new JsonArray(errors))
        .put("log", new JsonArray(log));
  }

  /** Runs to the end; the future answers the report. */
  Future<JsonObject> start() {
    boolean resumed = resumeIteration > 0;
    (resumed ? Future.succeededFuture(before) : request(Addresses.CHAOS_GET, null))
        .compose(config -> {
          before = config;
          return request(Addresses.SCENARIO_LIST, null);
        })
        .compose(list -> {
          list.getJsonArray("scenarios").forEach(o -> scenarios.put(((JsonObject) o).getString("name"),
              ((JsonObject) o).getJsonObject("config").getMap()));
          startGuard();
          return resumed ? Future.succeededFuture(true) : hooks("pre_orchestration", List.of());
        })
        .compose(ok -> iterations(resumed ? resumeIteration : 1))
        .compose(v -> hooks("post_orchestration", List.of()))
        .recover(e -> {
          errors.add(e.getMessage());
          if (status.equals("running")) {
            status = "failed";
          }
          return Future.succeededFuture(false);
        })
        .compose(v -> restore())
        .onComplete(v -> finish());
    return done.future();
  }

  /** Stops the run at once (the current step is cut short); {@code why} becomes its status. */
  void stop(String why) {
    if (!status.equals("running")) {
      return;
    }
    status = why;
    timers.forEach(vertx::cancelTimer);
    timers.clear();
    Promise<Void> wake = sleeper;
    if (wake != null) {
      wake.tryComplete();
    }
  }

  boolean running() {
    return endedAt == 0;
  }

  JsonObject status() {
    int total = countSteps(orchestration.steps());
    return new JsonObject()
        .put("is_running", running())
        .put("run_id", id)
        .put("name", orchestration.name())
        .put("status", status)
        .put("current_step", currentStep)
        .put("iteration", iteration)
        .put("steps_done", stepsDone)
        .put("progress", total == 0 ? 1.0 : Math.min(1.0, (double) stepsDone / (total * Math.max(1, iterationsPlanned()))))
        .put("started_at", startedAt);
  }

  private int iterationsPlanned() {
    return orchestration.loop() ? Math.max(1, orchestration.maxIterations()) : 1;
  }

  private static int countSteps(List<Step> steps) {
    return steps.size();
  }

  private Future<Void> iterations(int n) {
    if (!status.equals("running")) {
      return Future.succeededFuture();
    }
    boolean more = orchestration.loop() && (orchestration.maxIterations() == 0 || n < orchestration.maxIterations());
    iteration = n;
    int from = n == resumeIteration ? resumeStep : 0;
    checkpoints.accept(checkpoint(from));
    Future<Boolean> ran = orchestration.parallel() ? parallel(orchestration.steps()) : topLevel(orchestration.steps(), from);
    return ran.compose(cont -> cont && more ? iterations(n + 1) : Future.succeededFuture());
  }

  /** The orchestration's own steps from {@code from}, checkpointed after each. */
  private Future<Boolean> topLevel(List<Step> steps, int from) {
    Future<Boolean> chain = Future.succeededFuture(true);
    for (int i = from; i < steps.size(); i++) {
      Step step = steps.get(i);
      int next = i + 1;
      chain = chain.compose(cont -> cont && status.equals("running") ? step(step) : Future.succeededFuture(false))
          .onSuccess(cont -> {
            if (status.equals("running")) {
              checkpoints.accept(checkpoint(next));
            }
          });
    }
    return chain;
  }

  private Future<Boolean> sequence(List<Step> steps) {
    Future<Boolean> chain = Future.succeededFuture(true);
    for (Step step : steps) {
      chain = chain.compose(cont -> cont && status.equals("running") ? step(step) : Future.succeededFuture(false));
    }
    return chain;
  }

  /** One step: condition, delay, pre hooks, chaos, duration, measurement, post hooks, assertions. Answers whether to go on. */
  private Future<Boolean> step(Step step) {
    Conditions.Context context = context(lastMetrics);
    if (step.conditional()) {
      boolean then = Conditions.holds(step.condition(), context);
      record(step, then ? "succeeded" : "succeeded", 0, 0, new JsonObject(), new JsonArray(),
          "took the " + (then ? "then" : "else") + " branch", false);
      return sequence(then ? step.thenSteps() : step.elseSteps());
    }
    if (step.condition() != null && !Conditions.holds(step.condition(), context)) {
      record(step, "skipped", 0, 0, new JsonObject(), new JsonArray(), "condition not met", false);
      return Future.succeededFuture(true);
    }
    currentStep = step.name();
    variables.putAll(step.variables());
    progress();
    return sleep(step.delayBeforeSeconds())
        .compose(v -> hooks("pre_step", step.preHooks()))
        .compose(hooksOk -> apply(step).map(applied -> hooksOk ? null : "a required pre_step hook failed"))
        .compose(problem -> {
          long from = System.currentTimeMillis();
          return sleep(step.durationSeconds()).compose(v -> measure(from, System.currentTimeMillis()))
              .compose(metrics -> {
                lastMetrics = metrics;
                metrics.forEach(e -> variables.put(e.getKey(), e.getValue()));
                return hooks("post_step", step.postHooks()).map(ok -> {
                  JsonArray assertions = assertions(step.assertions(), metrics);
                  boolean passed = problem == null && ok && assertions.stream().allMatch(a -> ((JsonObject) a).getBoolean("passed"));
                  String error = problem != null ? problem : !ok ? "a required post_step hook failed" : passed ? null : "an assertion failed";
                  record(step, passed ? "succeeded" : "failed", from, System.currentTimeMillis(), metrics, assertions, error, true);
                  return passed || step.continueOnFailure();
                });
              });
        }, failure -> {
          record(step, "failed", System.currentTimeMillis(), System.currentTimeMillis(), new JsonObject(), new JsonArray(),
              "the scenario could not apply: " + failure.getMessage(), true);
          return Future.succeededFuture(step.continueOnFailure());
        });
  }

  /** Parallel steps: their chaos merged and applied together, each measured over its own duration. */
  private Future<Boolean> parallel(List<Step> steps) {
    List<Step> plain = steps.stream().filter(s -> !s.conditional()).toList();
    Map<String, Object> merged = new LinkedHashMap<>();
    for (Step step : plain) {
      merged = StepConfig.merge(merged, chaosOf(step));
    }
    double longest = plain.stream().mapToDouble(Step::durationSeconds).max().orElse(0);
    currentStep = String.join(" + ", plain.stream().map(Step::name).toList());
    progress();
    long from = System.currentTimeMillis();
    Map<String, Object> config = merged;
    return hooks("pre_step", plain.stream().flatMap(s -> s.preHooks().stream()).toList())
        .compose(ok -> request(Addresses.CHAOS_SET, new JsonObject(config)))
        .compose(applied -> sleep(longest), failure -> {
          errors.add("the parallel steps could not apply: " + failure.getMessage());
          return Future.succeededFuture();
        })
        .compose(v -> {
          Future<Boolean> chain = Future.succeededFuture(true);
          boolean allPassed = true;
          for (Step step : plain) {
            long to = from + (long) (step.durationSeconds() * 1000);
            chain = chain.compose(cont -> measure(from, Math.min(to, System.currentTimeMillis())).map(metrics -> {
              lastMetrics = metrics;
              JsonArray assertions = assertions(step.assertions(), metrics);
              boolean passed = assertions.stream().allMatch(a -> ((JsonObject) a).getBoolean("passed"));
              record(step, passed ? "succeeded" : "failed", from, to, metrics, assertions, passed ? null : "an assertion failed", true);
              return cont && (passed || step.continueOnFailure());
            }));
          }
          return chain.compose(cont -> hooks("post_step", plain.stream().flatMap(s -> s.postHooks().stream()).toList()).map(ok -> cont));
        });
  }

  /** Applies a step's chaos: a scenario by name, or its config (refining a named scenario), switched on unless it says otherwise. */
  private Future<JsonObject> apply(Step step) {
    if (step.config() == null && step.scenario() != null) {
      return request(Addresses.SCENARIO_START, new JsonObject().put("name", step.scenario()));
    }
    if (step.scenario() != null && step.config() != null && !step.config().isEmpty() && !scenarios.containsKey(step.scenario())) {
      return Future.failedFuture("unknown scenario " + step.scenario());
    }
    return request(Addresses.CHAOS_SET, new JsonObject(chaosOf(step)));
  }

  private Map<String, Object> chaosOf(Step step) {
    Map<String, Object> base = step.scenario() != null && scenarios.containsKey(step.scenario())
        ? new LinkedHashMap<>(scenarios.get(step.scenario())) : new LinkedHashMap<>();
    base.remove("rules");
    base.remove("seed");
    base.remove("scenario");
    Map<String, Object> config = StepConfig.merge(base, step.config() == null ? Map.of() : step.config());
    config.putIfAbsent("enabled", true);
    return config;
  }

  private Future<JsonObject> measure(long from, long to) {
    return request(Metrics.WINDOW_ADDRESS, new JsonObject().put("from", from).put("to", to))
        .otherwise(e -> new JsonObject().put("error", "no traffic metrics on this node: " + e.getMessage()));
  }

  private JsonArray assertions(List<Assertion> list, JsonObject metrics) {
    JsonArray out = new JsonArray();
    for (Assertion a : list) {
      boolean passed;
      String message;
      switch (a.type()) {
        case "variable_equals" -> {
          Object actual = variables.get(a.variable());
          passed = Conditions.holds(new Model.Condition("equals", a.variable(), a.expected(), null, null, null, List.of()),
              context(metrics));
          message = a.variable() + " = " + actual + ", expected " + a.expected();
        }
        case "metric_in_range" -> {
          Double value = a.metric().startsWith("custom.") ? customMetrics.get(a.metric().substring(7))
              : Conditions.number(metrics.getValue(a.metric()));
          passed = value != null && value >= a.min() && value <= a.max();
          message = a.metric() + " = " + value + ", expected within [" + a.min() + ", " + a.max() + "]";
        }
        case "step_succeeded", "step_failed" -> {
          String want = a.type().equals("step_succeeded") ? "succeeded" : "failed";
          String actual = results.stream().filter(r -> a.step().equals(r.getString("name")))
              .reduce((x, y) -> y).map(r -> r.getString("status")).orElse("not run");
          passed = actual.equals(want);
          message = "step " + a.step() + " " + actual + ", expected " + want;
        }
        default -> {
          passed = Conditions.holds(a.condition(), context(metrics));
          message = "condition " + (passed ? "holds" : "does not hold");
        }
      }
      out.add(new JsonObject().put("type", a.type()).put("passed", passed).put("message", message));
    }
    return out;
  }

  /** Runs the global hooks of {@code type}, then {@code own}; answers false when a required one failed. */
  private Future<Boolean> hooks(String type, List<Hook> own) {
    List<Hook> all = new ArrayList<>(orchestration.hooks().stream().filter(h -> type.equals(h.type())).toList());
    all.addAll(own);
    Future<Boolean> chain = Future.succeededFuture(true);
    for (Hook hook : all) {
      chain = chain.compose(ok -> {
        if (hook.condition() != null && !Conditions.holds(hook.condition(), context(lastMetrics))) {
          return Future.succeededFuture(ok);
        }
        Future<Void> actions = Future.succeededFuture();
        for (Action action : hook.actions()) {
          actions = actions.compose(v -> action(action));
        }
        String name = hook.name() == null ? type : hook.name();
        return actions.map(v -> {
          hookDone(type, name, true);
          return ok;
        }).recover(e -> {
          String what = "hook " + name + " failed: " + e.getMessage();
          errors.add(what);
          LOG.warning(what);
          hookDone(type, name, false);
          return Future.succeededFuture(ok && !hook.required());
        });
      });
    }
    return chain;
  }

  private void hookDone(String type, String name, boolean succeeded) {
    vertx.eventBus().publish(OrchestratorVerticle.HOOK,
        new JsonObject().put("type", type).put("hook", name).put("result", succeeded ? "succeeded" : "failed"),
        new DeliveryOptions().setLocalOnly(true));
  }

  private Future<Void> action(Action action) {
    Map<String, Object> f = action.fields();
    switch (action.type()) {
      case "log" -> {
        String message = interpolate(String.valueOf(f.get("message")));
        log.add(Instant.now() + " " + f.getOrDefault("level", "info") + " " + message);
        LOG.log(level(String.valueOf(f.getOrDefault("level", "info"))), () -> "orchestration " + orchestration.name() + ": " + message);
        return Future.succeededFuture();
      }
      case "set_variable" -> {
        Object value = f.get("value");
        variables.put(String.valueOf(f.get("name")), value instanceof String s ? interpolate(s) : value);
        return Future.succeededFuture();
      }
      case "record_metric" -> {
        Object value = f.get("value");
        Double number = Conditions.number(value instanceof String s ? interpolate(s) : value);
        if (number == null) {
          return Future.failedFuture("record_metric " + f.get("name") + ": not a number: " + value);
        }
        customMetrics.put(String.valueOf(f.get("name")), number);
        return Future.succeededFuture();
      }
      case "http_request" -> {
        return httpRequest(f);
      }
      default -> {
        return command(f);
      }
    }
  }

  private Future<Void> httpRequest(Map<String, Object> f) {
    String url = interpolate(String.valueOf(f.get("url")));
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture("http_request: not a URL: " + url);
    }
    if (uri.getHost() == null || !permissions.httpAllowList().contains(uri.getHost())) {
      return Future.failedFuture("http_request to " + uri.getHost() + " refused: the host is not in orchestration.http_allow_list "
          + permissions.httpAllowList());
    }
    String body = f.get("body") == null ? "" : interpolate(String.valueOf(f.get("body")));
    long timeout = f.get("timeout_ms") instanceof Number n ? n.longValue() : 5_000;
    RequestOptions options = new RequestOptions().setAbsoluteURI(url)
        .setMethod(HttpMethod.valueOf(String.valueOf(f.getOrDefault("method", "GET")).toUpperCase()))
        .setTimeout(timeout);
    if (f.get("headers") instanceof Map<?, ?> headers) {
      headers.forEach((k, v) -> options.addHeader(String.valueOf(k), interpolate(String.valueOf(v))));
    }
    return http.request(options).compose(r -> r.send(body)).compose(response -> {
      int expected = f.get("expected_status") instanceof Number n ? n.intValue() : 0;
      boolean ok = expected == 0 ? response.statusCode() < 400 : response.statusCode() == expected;
      log.add(Instant.now() + " http_request " + options.getMethod() + " " + url + " -> " + response.statusCode());
      return ok ? Future.<Void>succeededFuture() : Future.failedFuture("http_request " + url + " answered " + response.statusCode());
    });
  }

  private Future<Void> command(Map<String, Object> f) {
    if (!permissions.allowCommands()) {
      return Future.failedFuture("command hooks are refused: set orchestration.allow_commands: true to allow them");
    }
    List<String> argv = new ArrayList<>();
    argv.add(interpolate(String.valueOf(f.get("command"))));
    if (f.get("args") instanceof List<?> args) {
      args.forEach(a -> argv.add(interpolate(String.valueOf(a))));
    }
    double timeout = f.get("timeout_seconds") instanceof Number n ? n.doubleValue() : 30;
    return vertx.executeBlocking(() -> {
      Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
      if (!process.waitFor((long) (timeout * 1000), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("command " + argv + " did not finish in " + timeout + " s");
      }
      String output = new String(process.getInputStream().readAllBytes()).strip();
      log.add(Instant.now() + " command " + argv + " -> exit " + process.exitValue() + (output.isEmpty() ? "" : ": " + output));
      if (process.exitValue() != 0) {
        throw new IllegalStateException("command " + argv + " exited with " + process.exitValue());
      }
      return null;
    }, false);
  }

  private String interpolate(String text) {
    Matcher m = VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      Object value = variables.get(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(value == null ? "" : String.valueOf(value)));
    }
    m.appendTail(out);
    return out.toString()
        .replace("{{now}}", Instant.now().toString())
        .replace("{{timestamp}}", Long.toString(System.currentTimeMillis() / 1000))
        .replace("{{duration}}", String.format(java.util.Locale.ROOT, "%.1f", (System.currentTimeMillis() - startedAt) / 1000.0));
  }

  private Conditions.Context context(JsonObject metrics) {
    return new Conditions.Context(variables, previousSucceeded, metrics);
  }

  private void record(Step step, String outcome, long from, long to, JsonObject metrics, JsonArray assertions, String error,
      boolean counts) {
    if (counts) {
      previousSucceeded = outcome.equals("succeeded");
      stepsDone++;
    }
    boolean all = results.stream().filter(r -> !r.getString("status").equals("skipped")).allMatch(r -> r.getString("status").equals("succeeded"))
        && (!counts || outcome.equals("succeeded"));
    variables.put("all_steps_succeeded", all);
    variables.put("last_step_status", outcome);
    JsonObject result = new JsonObject()
        .put("name", step.name())
        .put("iteration", iteration)
        .put("status", outcome)
        .put("started_at", from)
        .put("ended_at", to)
        .put("duration_ms", Math.max(0, to - from))
        .put("metrics", metrics)
        .put("assertions", assertions)
        .put("error", error);
    results.add(result);
    if (error != null && outcome.equals("failed")) {
      errors.add("step " + step.name() + ": " + error);
    }
    progress();
  }

  private Promise<Void> sleeper;

  /** Waits {@code seconds} on a timer, or less if the run is stopped. */
  private Future<Void> sleep(double seconds) {
    if (seconds <= 0 || !status.equals("running")) {
      return Future.succeededFuture();
    }
    Promise<Void> promise = Promise.promise();
    sleeper = promise;
    long timer = vertx.setTimer(Math.max(1, (long) (seconds * 1000)), id -> {
      timers.remove(id);
      promise.tryComplete();
    });
    timers.add(timer);
    return promise.future();
  }

  /** The abort_when guard: checked every half second on the last window_seconds of traffic. */
  private void startGuard() {
    Model.Guard guard = orchestration.abortWhen();
    if (guard == null) {
      return;
    }
    guardTimer = vertx.setPeriodic(500, id -> {
      long now = System.currentTimeMillis();
      measure(now - (long) (guard.windowSeconds() * 1000), now).onSuccess(metrics -> {
        if (!Conditions.holds(guard.condition(), context(metrics))) {
          guardSince = -1;
          return;
        }
        if (guardSince < 0) {
          guardSince = now;
        }
        if (now - guardSince >= guard.forSeconds() * 1000) {
          errors.add("aborted: abort_when held for " + guard.forSeconds() + " s (" + metrics.encode() + ")");
          stop("aborted");
        }
      });
    });
  }

  private Future<Void> restore() {
    if (guardTimer >= 0) {
      vertx.cancelTimer(guardTimer);
    }
    if (before == null) {
      return Future.succeededFuture();
    }
    return request(Addresses.CHAOS_SET, before).<Void>mapEmpty()
        .recover(e -> {
          errors.add("could not restore the chaos config: " + e.getMessage());
          return Future.succeededFuture();
        });
  }

  private void finish() {
    endedAt = System.currentTimeMillis();
    JsonObject overall = new JsonObject();
    measure(startedAt, endedAt).onComplete(ar -> {
      JsonObject metrics = ar.succeeded() ? ar.result() : new JsonObject();
      metrics.put("max_error_rate", max("error_rate")).put("max_avg_latency", max("avg_latency")).put("max_p99_latency", max("p99_latency"));
      JsonArray global = assertions(orchestration.assertions(), metrics);
      boolean passed = global.stream().allMatch(a -> ((JsonObject) a).getBoolean("passed"));
      if (status.equals("running")) {
        boolean stepsOk = results.stream().noneMatch(r -> r.getString("status").equals("failed"));
        status = stepsOk && passed ? "succeeded" : "failed";
        if (!passed) {
          errors.add("a global assertion failed");
        }
      }
      overall.put("metrics", metrics).put("assertions", global);
      currentStep = null;
      progress();
      done.complete(report(overall));
      http.close();
    });
  }

  private double max(String metric) {
    return results.stream().mapToDouble(r -> {
      Double v = Conditions.number(r.getJsonObject("metrics").getValue(metric));
      return v == null ? 0 : v;
    }).max().orElse(0);
  }

  private JsonObject report(JsonObject overall) {
    return new JsonObject()
        .put("id", id)
        .put("name", orchestration.name())
        .put("description", orchestration.description())
        .put("mode", orchestration.parallel() ? "parallel" : "sequential")
        .put("status", status)
        .put("started_at", startedAt)
        .put("ended_at", endedAt)
        .put("duration_ms", endedAt - startedAt)
        .put("iterations", iteration)
        .put("steps", new JsonArray(results))
        .put("metrics", overall.getJsonObject("metrics"))
        .put("assertions", overall.getJsonArray("assertions"))
        .put("custom_metrics", new JsonObject(new LinkedHashMap<>(customMetrics)))
        .put("variables", new JsonObject(ChaosJson.toMap(variables)))
        .put("errors", new JsonArray(errors))
        .put("log", new JsonArray(log));
  }

  private void progress() {
    vertx.eventBus().publish(OrchestratorVerticle.PROGRESS, status());
  }

  private Future<JsonObject> request(String address, JsonObject body) {
    return vertx.eventBus().<JsonObject>request(address, body).map(m -> m.body());
  }

  private static Level level(String name) {
    return switch (name) {
      case "trace", "debug" -> Level.FINE;
      case "warn" -> Level.WARNING;
      case "error" -> Level.SEVERE;
      default -> Level.INFO;
    };
  }
}
