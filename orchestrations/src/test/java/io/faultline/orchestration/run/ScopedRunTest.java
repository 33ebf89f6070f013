package io.faultline.orchestration.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.config.ChaosJson;
import io.faultline.chaos.config.Scenarios;
import io.faultline.chaos.control.Addresses;
import io.faultline.chaos.control.ChaosControlVerticle;
import io.faultline.chaos.state.ChaosState;
import io.faultline.orchestration.hook.HookRunner;
import io.faultline.orchestration.hook.Permissions;
import io.faultline.orchestration.model.MetricNames;
import io.faultline.orchestration.parse.OrchestrationParser;
import io.faultline.orchestration.report.RunReport;
import io.faultline.orchestration.report.StepResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A distributed task item's run against the real chaos control verticle: its steps are the item's rule
 * for its node only, the rest of the config is never touched, and the node's own run leaves that rule alone.
 */
class ScopedRunTest {

  private static final RunScope ITEM = new RunScope("t", 0, "n1");

  private final Vertx vertx = Vertx.vertx();
  /** Global latency and a user's rule: what a task run must leave as it is. */
  private final ChaosState state = new ChaosState(ChaosJson.config(new JsonObject()
      .put("latency", new JsonObject().put("fixed_delay_ms", 7))
      .put("rules", new JsonArray().add(new JsonObject().put("name", "users").put("match", new JsonObject().put("path", "/u/*"))
          .put("fault_injection", new JsonObject().put("http_errors", new JsonArray().add(418)).put("http_error_probability", 1.0))))
      .getMap()));
  /** Every change the control verticle published: {@code change} (address, source) and the config after it. */
  private final List<JsonObject> changes = new CopyOnWriteArrayList<>();

  @BeforeEach
  void deploy() throws Exception {
    vertx.eventBus().<JsonObject>consumer(Addresses.CHAOS_CHANGED, m -> changes.add(m.body())).completion().await(5, TimeUnit.SECONDS);
    vertx.eventBus().<JsonObject>consumer(MetricNames.WINDOW_ADDRESS, m -> m.reply(new JsonObject().put("request_count", 10)));
    vertx.deployVerticle(new ChaosControlVerticle(state)).await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private Future<RunReport> start(String yaml, RunScope scope, RunClock clock) {
    OrchestrationParser.Result parsed = OrchestrationParser.parse(yaml);
    assertThat(parsed.problems()).isEmpty();
    Promise<RunReport> report = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> new Run(vertx, parsed.orchestration(), "run-" + (scope == null ? "own" : "task"), clock,
        new HookRunner(vertx, vertx.createHttpClient(), Permissions.NONE), new Run.Listener() {
          @Override
          public void progress(JsonObject status) {
          }

          @Override
          public void hookDone(String type, String name, boolean succeeded) {
          }
        }, scope).start().onComplete(report));
    return report.future();
  }

  /** The task item's rule in a published status, or null when it has none. */
  private static JsonObject itemRule(JsonObject status) {
    return status.getJsonObject("config").getJsonArray("rules").stream().map(r -> (JsonObject) r)
        .filter(r -> ITEM.rule().equals(r.getString("name"))).findFirst().orElse(null);
  }

  @Test
  void eachStepIsTheItemsRuleForItsNodeAndTheEndRemovesItLeavingTheRestAsItWas() throws Exception {
    JsonObject before = new JsonObject(ChaosJson.toMap(state.config()));
    RunReport report = start("""
        name: scoped
        steps:
          - {name: slow, scenario: slow_backend, duration_seconds: 10}
          - {name: errors, scenario: {config: {fault_injection: {http_errors: [503], http_error_probability: 1.0}}}, duration_seconds: 10}
          - {name: calm, scenario: {config: {enabled: false}}, duration_seconds: 10}
          - {name: errors-again, scenario: {config: {fault_injection: {http_errors: [500], http_error_probability: 1.0}}}, duration_seconds: 10}
        """, ITEM, VirtualClock.automatic()).await(30, TimeUnit.SECONDS);
    assertThat(report.status()).as(report.errors().toString()).isEqualTo("succeeded");
    assertThat(report.steps()).extracting(StepResult::status).containsOnly("succeeded").hasSize(4);
    assertThat(report.log()).anyMatch(line -> line.contains("every step's chaos is the rule task:t:0, for this node only"));

    assertThat(changes).allSatisfy(c -> assertThat(c.getJsonObject("change").getString("source")).isEqualTo("task"))
        .allSatisfy(c -> assertThat(c.getJsonObject("change").getString("detail")).isEqualTo("t"));
    assertThat(changes).extracting(c -> c.getJsonObject("change").getString("address")).containsExactly(
        Addresses.RULES_PUT, Addresses.CHAOS_ENABLE, Addresses.RULES_PUT, Addresses.RULES_REMOVE, Addresses.RULES_PUT, Addresses.RULES_REMOVE);
    JsonObject slow = itemRule(changes.get(0));
    JsonObject slowBackend = new JsonObject(ChaosJson.toMap(Scenarios.builtIn("slow_backend").config()));
    assertThat(slow.getJsonObject("match").getJsonArray("nodes")).containsExactly("n1");
    assertThat(slow.getJsonObject("latency")).isEqualTo(slowBackend.getJsonObject("latency"));
    JsonObject errors = itemRule(changes.get(2));
    assertThat(errors.getJsonObject("match").getJsonArray("nodes")).containsExactly("n1");
    assertThat(errors.getJsonObject("fault_injection").getJsonArray("http_errors")).containsExactly(503);
    assertThat(errors.containsKey("latency")).as("each step's rule is the step's chaos alone").isFalse();
    assertThat(itemRule(changes.get(3))).as("a step that switches chaos off has no rule").isNull();
    assertThat(itemRule(changes.get(5))).as("the restore removes the rule").isNull();

    JsonObject after = new JsonObject(ChaosJson.toMap(state.config()));
    assertThat(after.getBoolean("enabled")).as("switched on for the rule, as a scenario task does").isTrue();
    after.remove("enabled");
    before.remove("enabled");
    assertThat(after).as("global sections, other rules and the seed as they were").isEqualTo(before);
  }

  @Test
  void theNodesOwnRunPutsItsConfigBackButLeavesATaskRulePutWhileItRan() throws Exception {
    VirtualClock clock = VirtualClock.manual();
    Future<RunReport> own = start("""
        name: own
        steps:
          - {name: a, scenario: {config: {latency: {fixed_delay_ms: 100}}}, duration_seconds: 30}
        """, null, clock);
    clock.awaitWaiting();
    assertThat(state.config().latency().fixedDelayMs()).isEqualTo(100L);
    vertx.eventBus().request(Addresses.RULES_PUT, new JsonObject().put("name", ITEM.rule())
        .put("match", new JsonObject().put("nodes", new JsonArray().add("n1")))
        .put("latency", new JsonObject().put("fixed_delay_ms", 900)), new io.vertx.core.eventbus.DeliveryOptions()
        .addHeader(Addresses.SOURCE_HEADER, io.faultline.chaos.control.TaskRules.source("t"))).await(5, TimeUnit.SECONDS);
    clock.advance(30_000);
    assertThat(own.await(10, TimeUnit.SECONDS).status()).isEqualTo("succeeded");
    assertThat(state.config().latency().fixedDelayMs()).as("the run's config is undone").isEqualTo(7L);
    assertThat(state.config().rules()).extracting(r -> r.name()).containsExactly("users", ITEM.rule());
  }

  /** A seed a step set goes with the run's end when the run found none (the end put back all but that). */
  @Test
  void theNodesOwnRunTakesASeedItsStepSetAwayWhenItFoundNone() throws Exception {
    assertThat(state.config().seed()).isNull();
    VirtualClock clock = VirtualClock.manual();
    Future<RunReport> own = start("""
        name: seeded
        steps:
          - {name: a, scenario: {config: {seed: 5, latency: {fixed_delay_ms: 100}}}, duration_seconds: 30}
        """, null, clock);
    clock.awaitWaiting();
    assertThat(state.config().seed()).isEqualTo(5L);
    clock.advance(30_000);
    assertThat(own.await(10, TimeUnit.SECONDS).status()).isEqualTo("succeeded");
    assertThat(state.config().latency().fixedDelayMs()).as("the run's config is undone").isEqualTo(7L);
    assertThat(state.config().seed()).as("and its seed").isNull();
  }
}
