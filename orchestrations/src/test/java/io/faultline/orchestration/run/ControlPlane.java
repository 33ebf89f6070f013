package io.faultline.orchestration.run;

import io.faultline.chaos.config.ChaosJson;
import io.faultline.chaos.config.Scenario;
import io.faultline.chaos.config.Scenarios;
import io.faultline.chaos.control.Addresses;
import io.faultline.chaos.control.ControlError;
import io.faultline.chaos.control.KilledRuns;
import io.faultline.orchestration.Metrics;
import io.faultline.orchestration.hook.HookRunner;
import io.faultline.orchestration.hook.Permissions;
import io.faultline.orchestration.parse.OrchestrationParser;
import io.faultline.orchestration.report.RunReport;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * The control plane a run talks to, as real event-bus consumers on the real addresses of a real
 * Vert.x: it keeps a chaos config, knows the built-in scenarios (and any the test saves), answers the
 * traffic window with what the test says, and records every control message with its source header.
 */
public final class ControlPlane implements AutoCloseable {

  /** A control message as the control plane received it. */
  public record Sent(String address, JsonObject body, String source) {
  }

  public final Vertx vertx = Vertx.vertx();
  public final List<Sent> sent = new CopyOnWriteArrayList<>();
  public final List<JsonObject> progress = new CopyOnWriteArrayList<>();
  public final List<String> hooks = new CopyOnWriteArrayList<>();
  public final Map<String, JsonObject> saved = new java.util.concurrent.ConcurrentHashMap<>();
  public volatile JsonObject config = new JsonObject().put("enabled", false).put("latency", new JsonObject().put("fixed_delay_ms", 7));
  public volatile BiFunction<Long, Long, JsonObject> window = (from, to) -> new JsonObject().put("request_count", 10).put("error_rate", 0.0);
  /** Which traffic windows ({@code from}, {@code to}) are held rather than answered. */
  private volatile java.util.function.BiPredicate<Long, Long> windowsHeld = (from, to) -> false;
  /**
   * The kill switch was pressed and its announcement has not come yet: the run's config changes are refused as the control
   * verticle refuses them ({@link KilledRuns}).
   */
  public volatile boolean killed;
  private final List<Message<JsonObject>> heldWindows = new CopyOnWriteArrayList<>();
  private final Context context = vertx.getOrCreateContext();
  volatile Run run;

  public ControlPlane() {
    vertx.eventBus().<JsonObject>consumer(Addresses.CHAOS_GET, m -> m.reply(config.copy()));
    vertx.eventBus().<JsonObject>consumer(Addresses.CHAOS_SET, m -> {
      record(m);
      if (killed) {
        ControlError.fail(m, 409, "chaos was switched off (the kill switch) while the run went on", KilledRuns.FIELD);
        return;
      }
      config = m.body().copy();
      m.reply(status());
    });
    // what a run reads at its start and puts back at its end, as the chaos control answers them
    vertx.eventBus().<JsonObject>consumer(io.faultline.chaos.control.InternalAddresses.CHAOS_SAVED,
        m -> m.reply(new JsonObject().put("config", config.copy()).putNull("before_scenario")));
    vertx.eventBus().<JsonObject>consumer(io.faultline.chaos.control.InternalAddresses.CHAOS_RESTORE, m -> {
      record(m);
      if (killed) {
        ControlError.fail(m, 409, "chaos was switched off (the kill switch) while the run went on", KilledRuns.FIELD);
        return;
      }
      config = m.body().getJsonObject("config").copy();
      m.reply(status());
    });
    vertx.eventBus().<JsonObject>consumer(Addresses.SCENARIO_START, m -> {
      record(m);
      String name = m.body().getString("name");
      if (Scenarios.builtIn(name) == null && !saved.containsKey(name)) {
        ControlError.fail(m, 404, "unknown scenario " + name, "scenario");
        return;
      }
      config = new JsonObject().put("enabled", true).put("scenario", name);
      m.reply(status());
    });
    vertx.eventBus().<JsonObject>consumer(Addresses.SCENARIO_LIST, m -> {
      JsonArray list = new JsonArray();
      for (Scenario s : Scenarios.builtIn()) {
        list.add(new JsonObject().put("name", s.name()).put("built_in", true).put("default_duration_seconds", s.durationSeconds())
            .put("config", new JsonObject(ChaosJson.toMap(s.config()))));
      }
      saved.forEach((name, entry) -> list.add(entry.copy().put("name", name).put("built_in", false)));
      m.reply(new JsonObject().put("scenarios", list));
    });
    vertx.eventBus().<JsonObject>consumer(Metrics.WINDOW_ADDRESS, m -> {
      if (!windowsHeld.test(m.body().getLong("from"), m.body().getLong("to"))) {
        try {
          m.reply(window.apply(m.body().getLong("from"), m.body().getLong("to")));
        } catch (RuntimeException e) {
          m.fail(500, e.getMessage()); // a node that cannot measure (its recorder failing)
        }
      } else {
        heldWindows.add(m);
      }
    });
  }

  /** Saves a scenario as the control plane's {@code faultline.scenario.save} would: {@code seconds} its default duration (null: 60). */
  public void save(String name, JsonObject config, Double seconds) {
    saved.put(name, new JsonObject().put("default_duration_seconds", seconds == null ? Scenario.DEFAULT_DURATION_SECONDS : seconds)
        .put("config", config));
  }

  /** Whether the traffic window is answered; while not, requests are held, and answered when it is again. */
  public void answerWindows(boolean answer) {
    holdWindows(answer ? (from, to) -> false : (from, to) -> true);
  }

  /** Holds the traffic windows {@code which} picks, answering the others; those held before and not picked now are answered. */
  public void holdWindows(java.util.function.BiPredicate<Long, Long> which) {
    windowsHeld = which;
    heldWindows.removeIf(m -> {
      long from = m.body().getLong("from");
      long to = m.body().getLong("to");
      if (which.test(from, to)) {
        return false;
      }
      m.reply(window.apply(from, to));
      return true;
    });
  }

  private void record(Message<JsonObject> m) {
    sent.add(new Sent(m.address(), m.body() == null ? null : m.body().copy(), m.headers().get(Addresses.SOURCE_HEADER)));
  }

  private JsonObject status() {
    return new JsonObject().put("enabled", config.getBoolean("enabled", false));
  }

  /** Starts {@code yaml} on this control plane's event loop; the future answers its report. */
  Future<RunReport> start(String yaml, Permissions permissions, RunClock clock) {
    OrchestrationParser.Result parsed = OrchestrationParser.parse(yaml);
    if (!parsed.valid()) {
      throw new AssertionError(parsed.problems());
    }
    Promise<RunReport> report = Promise.promise();
    context.runOnContext(v -> {
      run = new Run(vertx, parsed.orchestration(), "run-test", clock,
          new HookRunner(vertx, vertx.createHttpClient(), permissions), new Run.Listener() {
            @Override
            public void progress(JsonObject status) {
              synchronized (progress) {
                progress.add(status);
                progress.notifyAll();
              }
            }

            @Override
            public void hookDone(String type, String name, boolean succeeded) {
              hooks.add(type + ":" + name + "=" + (succeeded ? "succeeded" : "failed"));
            }
          });
      run.start().onComplete(report);
    });
    return report.future();
  }

  RunReport run(String yaml) throws Exception {
    return run(yaml, Permissions.NONE);
  }

  RunReport run(String yaml, Permissions permissions) throws Exception {
    return start(yaml, permissions, VirtualClock.automatic()).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** Runs {@code action} on the run's event loop, and waits until it has. */
  void onLoop(Runnable action) throws Exception {
    java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
    context.runOnContext(v -> {
      action.run();
      done.complete(null);
    });
    done.get(10, TimeUnit.SECONDS);
  }

  /** Waits (at most 10 s) until a published progress satisfies {@code test}. */
  JsonObject awaitProgress(java.util.function.Predicate<JsonObject> test) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    synchronized (progress) {
      for (int seen = 0; ; ) {
        for (; seen < progress.size(); seen++) {
          if (test.test(progress.get(seen))) {
            return progress.get(seen);
          }
        }
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          throw new AssertionError("no progress like that; saw " + progress);
        }
        progress.wait(left);
      }
    }
  }

  @Override
  public void close() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }
}
