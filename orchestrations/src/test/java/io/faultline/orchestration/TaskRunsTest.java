package io.faultline.orchestration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.chaos.config.ChaosConfig;
import io.faultline.chaos.control.Addresses;
import io.faultline.chaos.control.ChangeLog;
import io.faultline.chaos.control.ChaosControlVerticle;
import io.faultline.chaos.control.InternalAddresses;
import io.faultline.chaos.state.ChaosState;
import io.faultline.orchestration.model.MetricNames;
import io.faultline.orchestration.run.VirtualClock;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs on a node, distributed tasks' items and the node's own beside them: the orchestrator verticle with the real chaos
 * control verticle, on a virtual clock.
 */
class TaskRunsTest {

  @TempDir
  Path dir;

  private final Vertx vertx = Vertx.vertx();
  private final ChaosState state = new ChaosState(ChaosConfig.off());
  private final VirtualClock clock = VirtualClock.manual();
  private final List<JsonObject> ended = new CopyOnWriteArrayList<>();

  private void deploy() throws Exception {
    vertx.eventBus().<JsonObject>consumer(MetricNames.WINDOW_ADDRESS, m -> m.reply(new JsonObject().put("request_count", 10)));
    vertx.eventBus().<JsonObject>localConsumer(InternalAddresses.TASK_ORCHESTRATION_ENDED, m -> ended.add(m.body()))
        .completion().await(5, TimeUnit.SECONDS);
    vertx.deployVerticle(new ChaosControlVerticle(state)).await(10, TimeUnit.SECONDS);
    vertx.deployVerticle(new OrchestratorVerticle(false, Set.of(), dir, false, clock)).await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private JsonObject request(String address, JsonObject body) throws Exception {
    return vertx.eventBus().<JsonObject>request(address, body).await(10, TimeUnit.SECONDS).body();
  }

  private JsonObject check(Object orchestration) throws Exception {
    return request(InternalAddresses.TASK_ORCHESTRATION_CHECK, new JsonObject().put("orchestration", orchestration));
  }

  /** The {@code {"error", "field"}} a refused check answers. */
  private JsonObject refused(Object orchestration) {
    Throwable e = org.assertj.core.api.Assertions.catchThrowable(() -> check(orchestration));
    assertThat(e).isInstanceOf(ReplyException.class);
    assertThat(((ReplyException) e).failureCode()).isEqualTo(400);
    return new JsonObject(e.getMessage());
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (!condition.getAsBoolean()) {
      assertThat(System.currentTimeMillis()).as(what).isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  @Test
  void aTasksOrchestrationIsAnObjectTextOrALibraryEntryAndBadOnesAreRefusedNamingTheField() throws Exception {
    deploy();
    String yaml = "name: smoke\nsteps:\n  - {name: a, scenario: slow_backend, duration_seconds: 1}\n";
    JsonObject document = new JsonObject().put("name", "resilience-test").put("steps", new JsonArray()
        .add(new JsonObject().put("name", "latency").put("scenario", "slow_backend").put("duration_seconds", 1)));
    assertThat(check(document)).isEqualTo(new JsonObject().put("name", "resilience-test").put("text", document.encode()));
    assertThat(check(yaml)).isEqualTo(new JsonObject().put("name", "smoke").put("text", yaml));
    request(OrchestratorVerticle.LIBRARY_PUT, new JsonObject().put("name", "nightly").put("text", yaml));
    assertThat(check("nightly")).isEqualTo(new JsonObject().put("name", "smoke").put("text", yaml));

    assertThat(refused(null)).isEqualTo(new JsonObject().put("error",
        "must be an orchestration (an object, or YAML or JSON text) or the name of a library entry, got nothing").put("field", "orchestration"));
    assertThat(refused(5).getString("error")).endsWith("got Integer");
    assertThat(refused("nope").getString("error")).startsWith("no library entry named nope;");
    assertThat(refused("nope").getString("field")).isEqualTo("orchestration");
    JsonObject unnamed = refused(new JsonObject().put("name", "x").put("steps", new JsonArray().add(new JsonObject().put("scenario", "slow_backend"))));
    assertThat(unnamed.getString("field")).isEqualTo("orchestration.steps[0].name");
    JsonObject unknown = refused("name: x\nsteps:\n  - {name: a, scenario: not_saved_here}\n");
    assertThat(unknown.getString("field")).isEqualTo("orchestration.steps[0].scenario");
    assertThat(unknown.getString("error")).contains("unknown scenario not_saved_here");
    JsonObject bomb = refused(Bombs.BILLION_LAUGHS);
    assertThat(bomb.getString("field")).isEqualTo("orchestration");
    assertThat(bomb.getString("error")).contains("YAML anchors and aliases");
  }

  @Test
  void itemRunsStartBesideTheNodesOwnRunNeitherWaitingForTheOtherAndReportLikeAnyRun() throws Exception {
    deploy();
    String item = "name: item\nsteps:\n  - {name: errors, scenario: {config: {fault_injection: {http_errors: [503]}}}, duration_seconds: 30}\n";
    JsonObject first = request(InternalAddresses.TASK_ORCHESTRATION_RUN,
        new JsonObject().put("task", "t1").put("index", 0).put("node", "n1").put("text", item));
    assertThat(first.getString("name")).isEqualTo("item");
    JsonObject own = request(OrchestratorVerticle.START, new JsonObject().put("text",
        "name: own\nsteps:\n  - {name: a, scenario: {config: {latency: {fixed_delay_ms: 5}}}, duration_seconds: 30}\n"));
    assertThat(own.getBoolean("is_running")).as("a task's run does not hold the node's run slot").isTrue();
    JsonObject second = request(InternalAddresses.TASK_ORCHESTRATION_RUN,
        new JsonObject().put("task", "t2").put("index", 1).put("node", "n1").put("text", item));
    assertThat(request(OrchestratorVerticle.STATUS, null).getString("run_id")).as("the status is the node's own run")
        .isEqualTo(own.getString("run_id"));
    await(() -> state.config().rules().size() == 2 && state.config().latency() != null, "both items' rules and the own run's chaos");
    clock.awaitWaiting(3); // each run holds its step on the clock

    clock.advance(30_000);
    await(() -> ended.size() == 2 && !request0(OrchestratorVerticle.STATUS).getBoolean("is_running"), "all three runs end");
    assertThat(state.config().rules()).as("each item's rule removed").isEmpty();
    JsonObject end = ended.stream().filter(e -> "t1".equals(e.getString("task"))).findFirst().orElseThrow();
    assertThat(end.getInteger("index")).isZero();
    assertThat(end.getString("run_id")).isEqualTo(first.getString("run_id"));
    assertThat(end.getString("status")).isEqualTo("succeeded");
    JsonObject summary = end.getJsonObject("report");
    assertThat(summary.getString("href")).isEqualTo("/api/chaos/orchestration/reports/" + first.getString("run_id"));
    assertThat(summary.getJsonArray("steps").getJsonObject(0).getString("status")).isEqualTo("succeeded");
    assertThat(summary.getInteger("steps_total")).isEqualTo(1);
    JsonObject report = request(OrchestratorVerticle.REPORT, new JsonObject().put("id", second.getString("run_id")));
    assertThat(report.getString("status")).isEqualTo("succeeded");
    assertThat(report.getJsonArray("log").encode()).contains("task t2 item 1 on node n1");

    assertThatThrownBy(() -> request(InternalAddresses.TASK_ORCHESTRATION_RUN, new JsonObject().put("task", "t3").put("index", 0)
        .put("node", "n1").put("text", "name: x\nsteps:\n  - {name: a, scenario: gone}\n")))
        .isInstanceOf(ReplyException.class).hasMessageContaining("cannot start on node n1: line 3: steps[0].scenario: unknown scenario gone");
  }

  /**
   * An item's report names its task and item, and {@code reports/latest} is the node's own run's: an item started
   * during a CI job's run and ended before it was the "latest" the job published.
   */
  @Test
  void theLatestReportIsTheNodesOwnRunsNotAnItemsStartedDuringIt() throws Exception {
    deploy();
    JsonObject own = request(OrchestratorVerticle.START, new JsonObject().put("text",
        "name: own\nsteps:\n  - {name: a, scenario: {config: {latency: {fixed_delay_ms: 5}}}, duration_seconds: 10}\n"));
    clock.awaitWaiting(1);
    clock.advance(1_000);
    JsonObject item = startItem(5);
    clock.awaitWaiting(2);
    clock.advance(5_000);
    await(() -> ended.size() == 1, "the item ends");
    clock.advance(4_000);
    await(() -> !request0(OrchestratorVerticle.STATUS).getBoolean("is_running"), "the own run ends");
    await(() -> vertx.eventBus().request(OrchestratorVerticle.REPORT, new JsonObject().put("id", own.getString("run_id")))
        .map(true).otherwise(false).await(), "the own run reported");
    assertThat(request(OrchestratorVerticle.REPORT, new JsonObject().put("id", "latest")).getString("id")).isEqualTo(own.getString("run_id"));
    JsonObject itemReport = request(OrchestratorVerticle.REPORT, new JsonObject().put("id", item.getString("run_id")));
    assertThat(itemReport.getString("task")).isEqualTo("t1");
    assertThat(itemReport.getInteger("task_index")).isZero();
  }

  /**
   * The node's own run began with chaos off, and a task's item put its rule meanwhile: the own run's end puts
   * back its config but leaves chaos on while the item's rule is there, saying so in its log entry (the
   * cluster's last task to settle switches it off), so the item runs its whole step. Switched off, the item
   * took that for the kill switch and stopped.
   */
  @Test
  void theNodesOwnRunEndingBeforeAnItemLeavesTheItemsChaosOn() throws Exception {
    deploy();
    JsonObject own = request(OrchestratorVerticle.START, new JsonObject().put("text",
        "name: own\nsteps:\n  - {name: a, scenario: {config: {latency: {fixed_delay_ms: 5}}}, duration_seconds: 10}\n"));
    await(() -> state.config().latency() != null, "the own run's chaos");
    JsonObject item = startItem(30);
    await(() -> state.config().rules().size() == 1, "the item's rule");
    clock.awaitWaiting(2);

    clock.advance(10_000);
    JsonObject id = new JsonObject().put("id", own.getString("run_id"));
    await(() -> !request0(OrchestratorVerticle.STATUS).getBoolean("is_running")
        && vertx.eventBus().request(OrchestratorVerticle.REPORT, id).map(true).otherwise(false).await(), "the own run ends, reported");
    assertThat(request(OrchestratorVerticle.REPORT, id).getString("status")).isEqualTo("succeeded");
    assertThat(state.config().latency()).as("the own run's chaos undone").isNull();
    JsonObject restored = request(Addresses.CHAOS_CHANGES, new JsonObject().put("limit", 1)).getJsonArray("changes").getJsonObject(0);
    assertThat(restored.getString("detail")).isEqualTo(own.getString("run_id"));
    assertThat(restored.getJsonArray(ChangeLog.KEPT_ON_FOR)).containsExactly("task:t1:0");
    assertThat(state.config().enabled()).as("chaos stays on for the item's rule").isTrue();
    assertThat(state.config().rules()).hasSize(1);
    assertThat(ended).as("the item goes on").isEmpty();

    clock.advance(20_000);
    await(() -> ended.size() == 1, "the item ends");
    assertThat(ended.get(0).getString("run_id")).isEqualTo(item.getString("run_id"));
    assertThat(ended.get(0).getString("status")).isEqualTo("succeeded");
    assertThat(state.config().rules()).isEmpty();
  }

  /**
   * The node's own run pausing chaos in a step (the switch off) is no kill switch for a task's item beside it, as
   * it is none for the task: the item goes on, and its chaos with the switch when the run puts it back on.
   */
  @Test
  void anOwnRunsPauseStepIsNoKillSwitchForAnItem() throws Exception {
    deploy();
    JsonObject item = startItem(30);
    await(() -> state.config().enabled() && state.config().rules().size() == 1, "the item's chaos");
    request(OrchestratorVerticle.START, new JsonObject().put("text",
        "name: own\nsteps:\n  - {name: pause, scenario: {config: {enabled: false}}, duration_seconds: 10}\n"));
    await(() -> !state.config().enabled(), "the own run's pause");
    clock.awaitWaiting(2);

    clock.advance(10_000);
    await(() -> !request0(OrchestratorVerticle.STATUS).getBoolean("is_running") && state.config().enabled(), "the own run ends, the switch back on");
    assertThat(ended).as("the item goes on").isEmpty();
    endsSucceeded(item, 20_000);
  }

  /**
   * An own run that began with chaos off and ends on a pause step (the switch off by itself) puts the switch back on for
   * an item still running: its chaos was paused by the run, not ended.
   */
  @Test
  void anOwnRunEndingOnAPauseGivesTheSwitchBackToAnItem() throws Exception {
    deploy();
    JsonObject item = ownRunPausedBesideAnItem();
    clock.awaitWaiting(2);

    clock.advance(10_000);
    await(() -> !request0(OrchestratorVerticle.STATUS).getBoolean("is_running") && state.config().enabled(), "the own run ends, the switch on");
    JsonObject restored = request(Addresses.CHAOS_CHANGES, new JsonObject().put("limit", 1)).getJsonArray("changes").getJsonObject(0);
    assertThat(restored.getJsonArray(ChangeLog.KEPT_ON_FOR)).containsExactly("task:t1:0");
    assertThat(ended).as("the item goes on").isEmpty();
    endsSucceeded(item, 20_000);
  }

  /** A user's config set during that pause (chaos off in it: it switches nothing) is the newer word: chaos stays off. */
  @Test
  void aUsersConfigSetDuringAnOwnRunsPauseKeepsChaosOff() throws Exception {
    deploy();
    ownRunPausedBesideAnItem();
    vertx.eventBus().request(Addresses.CHAOS_SET, new JsonObject().put("enabled", false),
        new io.vertx.core.eventbus.DeliveryOptions().addHeader(Addresses.SOURCE_HEADER, "console")).await(10, TimeUnit.SECONDS);
    clock.awaitWaiting(2);

    clock.advance(10_000);
    await(() -> !request0(OrchestratorVerticle.STATUS).getBoolean("is_running"), "the own run ends");
    assertThat(request0(OrchestratorVerticle.STATUS).getString("status")).isEqualTo("succeeded");
    assertThat(state.config().enabled()).isFalse();
    clock.advance(20_000);
    await(() -> ended.size() == 1, "the item ends");
  }

  /**
   * The kill switch pressed during that pause switches nothing (chaos is off), yet it is the kill switch: the own run and
   * the item stop at once, and chaos stays off. Read from the switch's diff alone it was missed: the own run went on
   * (and a step after the pause switched chaos on again).
   */
  @Test
  void theKillSwitchDuringAnOwnRunsPauseStopsItAndTheItem() throws Exception {
    deploy();
    ownRunPausedBesideAnItem();
    vertx.eventBus().request(Addresses.CHAOS_DISABLE, null,
        new io.vertx.core.eventbus.DeliveryOptions().addHeader(Addresses.SOURCE_HEADER, "console")).await(10, TimeUnit.SECONDS);
    await(() -> !request0(OrchestratorVerticle.STATUS).getBoolean("is_running") && ended.size() == 1, "both stop at once");
    assertThat(request0(OrchestratorVerticle.STATUS).getString("status")).isEqualTo("stopped");
    assertThat(ended.get(0).getString("status")).isEqualTo("stopped");
    assertThat(state.config().enabled()).isFalse();
  }

  /**
   * The kill switch pressed during a pause step in the middle of a run (chaos on before the run) stops it there: the step
   * after the pause is never applied, the config is not put back (that would switch chaos on again), and chaos stays off.
   */
  @Test
  void theKillSwitchDuringAPauseStepStopsTheRunAndChaosStaysOff() throws Exception {
    deploy();
    vertx.eventBus().request(Addresses.CHAOS_ENABLE, null).await(10, TimeUnit.SECONDS);
    request(OrchestratorVerticle.START, new JsonObject().put("text", """
        name: with-a-pause
        steps:
          - {name: a, scenario: {config: {latency: {fixed_delay_ms: 5}}}, duration_seconds: 10}
          - {name: pause, scenario: {config: {enabled: false}}, duration_seconds: 10}
          - {name: b, scenario: {config: {fault_injection: {http_errors: [503], http_error_probability: 1.0}}}, duration_seconds: 10}
        """));
    await(() -> state.config().latency() != null, "step a");
    clock.awaitWaiting(1);
    clock.advance(10_000);
    await(() -> !state.config().enabled(), "the pause");
    clock.awaitWaiting(1);

    JsonObject answer = vertx.eventBus().<JsonObject>request(Addresses.CHAOS_DISABLE, null,
        new io.vertx.core.eventbus.DeliveryOptions().addHeader(Addresses.SOURCE_HEADER, "rest")).await(10, TimeUnit.SECONDS).body();
    assertThat(answer.getBoolean("enabled")).isFalse();
    await(() -> !request0(OrchestratorVerticle.STATUS).getBoolean("is_running"), "the run stops");
    JsonObject status = request0(OrchestratorVerticle.STATUS);
    assertThat(status.getString("status")).isEqualTo("stopped");
    clock.advance(30_000);
    Thread.sleep(200); // had the run gone on, step b would be applied now
    assertThat(state.config().enabled()).isFalse();
    assertThat(state.config().faultInjection()).as("step b never applied").isNull();
  }

  /** Another task's switch-off (a settled task's end) does stop an item still running, saying so: it would go on unsaid. */
  @Test
  void anotherTasksSwitchOffStopsAnItem() throws Exception {
    deploy();
    JsonObject item = startItem(30);
    await(() -> state.config().enabled() && state.config().rules().size() == 1, "the item's chaos");
    vertx.eventBus().request(Addresses.CHAOS_DISABLE, null, new io.vertx.core.eventbus.DeliveryOptions()
        .addHeader(Addresses.SOURCE_HEADER, "task:t0")).await(10, TimeUnit.SECONDS);
    await(() -> ended.size() == 1, "the item stops");
    assertThat(ended.get(0).getString("status")).isEqualTo("stopped");
    JsonObject report = request(OrchestratorVerticle.REPORT, new JsonObject().put("id", item.getString("run_id")));
    assertThat(report.getJsonArray("errors").encode()).contains("chaos was switched off (task:t0) while the run went on");
  }

  /**
   * Starts an own run (a step of chaos, then a 10 s pause) beside a task's item (its rule for 40 s), both begun with
   * chaos off, and takes the own run to its pause; answers the item's start.
   */
  private JsonObject ownRunPausedBesideAnItem() throws Exception {
    request(OrchestratorVerticle.START, new JsonObject().put("text", "name: own\nsteps:\n"
        + "  - {name: a, scenario: {config: {latency: {fixed_delay_ms: 5}}}, duration_seconds: 10}\n"
        + "  - {name: pause, scenario: {config: {enabled: false}}, duration_seconds: 10}\n"));
    await(() -> state.config().latency() != null, "the own run's chaos");
    JsonObject item = startItem(40);
    await(() -> state.config().rules().size() == 1, "the item's rule");
    clock.awaitWaiting(2);
    clock.advance(10_000);
    await(() -> !state.config().enabled(), "the own run's pause");
    return item;
  }

  /** Starts item 0 of task t1 on node n1: a step of errors for {@code seconds}. */
  private JsonObject startItem(int seconds) throws Exception {
    return request(InternalAddresses.TASK_ORCHESTRATION_RUN, new JsonObject().put("task", "t1").put("index", 0).put("node", "n1")
        .put("text", "name: item\nsteps:\n  - {name: errors, scenario: {config: {fault_injection: {http_errors: [503]}}}, duration_seconds: "
            + seconds + "}\n"));
  }

  /** Moves the clock on {@code ms}, by when {@code item} (the only one) has ended, and checks that it succeeded. */
  private void endsSucceeded(JsonObject item, long ms) throws Exception {
    clock.advance(ms);
    await(() -> ended.size() == 1, "the item ends");
    assertThat(ended.get(0).getString("run_id")).isEqualTo(item.getString("run_id"));
    assertThat(ended.get(0).getString("status")).isEqualTo("succeeded");
  }

  private JsonObject request0(String address) {
    try {
      return request(address, null);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
