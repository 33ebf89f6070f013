package io.faultline.gateway.metrics;

import io.faultline.orchestration.OrchestratorVerticle;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Orchestration metrics: the run on this node (active, by name, its progress and current step), runs
 * and their durations by mode, steps by status, failed steps and step durations by orchestration and
 * step (named series capped), iterations, assertions, hooks. Fed from the orchestrator's local events
 * (progress, hooks, finished runs), never from the request path.
 */
final class OrchestrationMeters {

  /**
   * Distinct orchestration/step pairs the named-step meters ({@code faultline_orchestration_failed_steps_total},
   * {@code faultline_orchestration_step_seconds}) name before they count the rest as {@code _other}, so
   * user-chosen names cannot grow the series without bound.
   */
  static final int MAX_NAMED_STEP_SERIES = 100;
  private static final List<String> RUN_MODES = List.of("sequential", "parallel");
  private static final List<String> SCHEDULE_OUTCOMES = List.of("started", "skipped", "failed");
  private static final List<String> HOOK_TYPES = List.of("pre_orchestration", "pre_step", "post_step", "post_orchestration");

  private final MeterRegistry registry;
  private final AtomicReference<JsonObject> progress = new AtomicReference<>(new JsonObject());
  private final MultiGauge byName;
  private final MultiGauge currentStep;
  /** Touched only by the event-bus consumer of ended steps. */
  private final Set<List<String>> failedStepSeries = new HashSet<>();
  private final Set<List<String>> stepTimeSeries = new HashSet<>();

  OrchestrationMeters(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("faultline.orchestration.active", progress, p -> p.get().getBoolean("is_running", false) ? 1 : 0)
        .description("1 while an orchestration runs on this node").register(registry);
    Gauge.builder("faultline.orchestration.progress", progress, p -> p.get().getDouble("progress", 0.0))
        .description("share of the running orchestration's steps done (0..1)").register(registry);
    byName = MultiGauge.builder("faultline.active.orchestrations")
        .description("1 for the orchestration running on this node, by name").register(registry);
    currentStep = MultiGauge.builder("faultline.orchestration.current.step")
        .description("1 for the step the orchestration running on this node is at, by orchestration and step").register(registry);
    // Every label value exists from the start (at 0), so dashboards and alert rules have series before the first event.
    RUN_MODES.forEach(mode -> {
      List.of("succeeded", "failed", "aborted", "stopped").forEach(status -> runs(status, mode));
      runDuration(mode);
      stepDuration(mode);
    });
    List.of("succeeded", "failed", "skipped", "stopped", "aborted").forEach(this::steps);
    List.of("passed", "failed").forEach(this::assertions);
    iterations();
    HOOK_TYPES.forEach(type -> List.of("succeeded", "failed").forEach(result -> hooks(type, result)));
    SCHEDULE_OUTCOMES.forEach(this::schedules);
  }

  void bind(Vertx vertx) {
    vertx.eventBus().<JsonObject>localConsumer(OrchestratorVerticle.PROGRESS, m -> progress(m.body()));
    vertx.eventBus().<JsonObject>localConsumer(OrchestratorVerticle.FINISHED, m -> finished(m.body()));
    vertx.eventBus().<JsonObject>localConsumer(OrchestratorVerticle.STEP_ENDED, m -> stepEnded(m.body()));
    // local: only the schedules this node ran (the leader's), though every node hears of them
    vertx.eventBus().<JsonObject>localConsumer(OrchestratorVerticle.SCHEDULED, m -> {
      if (SCHEDULE_OUTCOMES.contains(m.body().getString("outcome"))) {
        schedules(m.body().getString("outcome")).increment();
      }
    });
    vertx.eventBus().<JsonObject>localConsumer(OrchestratorVerticle.HOOK, m -> {
      String type = m.body().getString("type");
      if (HOOK_TYPES.contains(type)) {
        hooks(type, m.body().getString("result")).increment();
      }
    });
  }

  /** One row while a run goes on (its name; its name and current step), none otherwise: at most one series each. */
  private void progress(JsonObject status) {
    progress.set(status);
    boolean running = status.getBoolean("is_running", false);
    String name = status.getString("name", "");
    String step = status.getString("current_step");
    byName.register(running ? List.of(MultiGauge.Row.of(Tags.of("orchestration", name), 1)) : List.of(), true);
    currentStep.register(running && step != null ? List.of(MultiGauge.Row.of(Tags.of("orchestration", name, "step", step), 1))
        : List.of(), true);
  }

  private void finished(JsonObject report) {
    String mode = RUN_MODES.contains(report.getString("mode")) ? report.getString("mode") : "sequential";
    runs(report.getString("status"), mode).increment();
    runDuration(mode).record(report.getLong("duration_ms", 0L), TimeUnit.MILLISECONDS);
    iterations().increment(report.getInteger("iterations", 0));
    countAssertions(report.getJsonArray("assertions"));
  }

  /**
   * A step as it ends: counted then, every one of them. Counted from the finished run's report, a run of more than
   * 1,000 steps counted the newest 1,000 (the report keeps those), and a step ended before a leader failover was
   * counted on both nodes.
   */
  private void stepEnded(JsonObject event) {
    String mode = RUN_MODES.contains(event.getString("mode")) ? event.getString("mode") : "sequential";
    JsonObject step = event.getJsonObject("step");
    long ms = step.getLong("duration_ms", 0L);
    steps(step.getString("status")).increment();
    List<String> pair = List.of(event.getString("orchestration", ""), step.getString("name", ""));
    if ("failed".equals(step.getString("status"))) {
      Counter.builder("faultline.orchestration.failed.steps").description("orchestration steps that failed, by orchestration and step")
          .tags(labels(failedStepSeries, pair)).register(registry).increment();
    }
    Timer.builder("faultline.orchestration.step").description("how long steps ran, by orchestration and step")
        .tags(labels(stepTimeSeries, pair)).register(registry).record(ms, TimeUnit.MILLISECONDS);
    stepDuration(mode).record(ms, TimeUnit.MILLISECONDS);
    countAssertions(step.getJsonArray("assertions"));
  }

  /** The orchestration and step labels of {@code pair}; past {@link #MAX_NAMED_STEP_SERIES} pairs in {@code seen}, {@code _other}. */
  private static Tags labels(Set<List<String>> seen, List<String> pair) {
    if (!seen.contains(pair)) {
      if (seen.size() >= MAX_NAMED_STEP_SERIES) {
        return Tags.of("orchestration", "_other", "step", "_other");
      }
      seen.add(pair);
    }
    return Tags.of("orchestration", pair.get(0), "step", pair.get(1));
  }

  private void countAssertions(JsonArray list) {
    if (list != null) {
      list.forEach(a -> assertions(((JsonObject) a).getBoolean("passed") ? "passed" : "failed").increment());
    }
  }

  private Counter hooks(String type, String result) {
    return Counter.builder("faultline.orchestration.hooks").description("orchestration hooks executed, by hook type and result")
        .tags("type", type, "result", result).register(registry);
  }

  private Counter schedules(String outcome) {
    return Counter.builder("faultline.orchestration.schedules")
        .description("library entries whose schedule came due on this node, by outcome (started, skipped: a run went on, failed: refused)")
        .tags("outcome", outcome).register(registry);
  }

  private Counter runs(String status, String mode) {
    return Counter.builder("faultline.orchestration.runs").description("orchestration runs that ended, by status and mode")
        .tags("status", status, "mode", mode).register(registry);
  }

  private Timer runDuration(String mode) {
    return Timer.builder("faultline.orchestration.duration").description("how long orchestration runs took, by mode")
        .tags("mode", mode).publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(100)).maximumExpectedValue(Duration.ofHours(4))
        .register(registry);
  }

  private Counter steps(String status) {
    return Counter.builder("faultline.orchestration.steps").description("orchestration steps that ended, by status")
        .tags("status", status).register(registry);
  }

  private Counter assertions(String result) {
    return Counter.builder("faultline.orchestration.assertions").description("assertions checked, by result")
        .tags("result", result).register(registry);
  }

  private Counter iterations() {
    return Counter.builder("faultline.orchestration.iterations").description("iterations run").register(registry);
  }

  private Timer stepDuration(String mode) {
    return Timer.builder("faultline.orchestration.step.duration").description("how long steps ran, by their run's mode")
        .tags("mode", mode).publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(100)).maximumExpectedValue(Duration.ofHours(1))
        .register(registry);
  }
}
