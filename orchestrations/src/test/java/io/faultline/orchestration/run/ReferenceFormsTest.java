package io.faultline.orchestration.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.control.Addresses;
import io.faultline.orchestration.hook.Permissions;
import io.faultline.orchestration.report.AssertionResult;
import io.faultline.orchestration.report.RunReport;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14's orchestration items: forms written as references 003 and 004 write them (the quoted blocks
 * are copied verbatim; only a {@code name:} line or a step they refer to is added around them), run on a
 * control plane of real event-bus consumers and a virtual clock.
 */
class ReferenceFormsTest {

  private final ControlPlane plane = new ControlPlane();

  @AfterEach
  void close() {
    plane.close();
  }

  private List<String> sentConfigs() {
    return plane.sent.stream().filter(s -> s.address().equals(Addresses.CHAOS_SET)).map(s -> s.body().encode()).toList();
  }

  @Test
  void stepSucceededTakesStepNameAsReference004WritesIt() throws Exception {
    plane.window = (from, to) -> new JsonObject().put("request_count", 10).put("error_count", 0).put("avg_latency", 40.0);
    RunReport report = plane.run("""
        name: step-name
        steps:
          - {name: network_test, scenario: slow_backend, duration_seconds: 5}
        assertions:
          - type: "variable_equals"
            variable: "error_count"
            expected: 0
          - type: "metric_in_range"
            metric: "avg_latency"
            min: 0
            max: 1000
          - type: "step_succeeded"
            step_name: "network_test"
        """);
    assertThat(report.assertions()).extracting(AssertionResult::message).containsExactly("error_count = 0, expected 0",
        "avg_latency = 40.0, expected within [0.0, 1000.0]", "step network_test succeeded, expected succeeded");
    assertThat(report.status()).isEqualTo("succeeded");
  }

  @Test
  void latencyP99IsAnAliasOfP99Latency() throws Exception {
    plane.window = (from, to) -> new JsonObject().put("request_count", 10).put("error_rate", 0.01).put("p99_latency", 120.0);
    RunReport report = plane.run("""
        name: aliases
        steps:
          - name: checked
            scenario: slow_backend
            duration_seconds: 5
            assertions:
              - type: "metric_in_range"
                metric: "error_rate"
                min: 0
                max: 0.05
              - type: "metric_in_range"
                metric: "latency_p99"
                min: 0
                max: 2000
        """);
    assertThat(report.steps().get(0).assertions()).extracting(AssertionResult::message)
        .containsExactly("error_rate = 0.01, expected within [0.0, 0.05]", "latency_p99 = 120.0, expected within [0.0, 2000.0]");
    assertThat(report.status()).isEqualTo("succeeded");
  }

  @Test
  void variablesAreFilledIntoStepNamesAndEveryStringOfAStep() throws Exception {
    RunReport report = plane.run("""
        name: reuse
        variables:
          target_endpoint: "/api/users"
          max_latency: 1000

        steps:
          - name: "Test ${variables.target_endpoint}"
            # Use variables throughout
        """);
    assertThat(report.steps()).extracting(s -> s.name()).containsExactly("Test /api/users");

    // A value a hook sets at run time is what the step applies, with its type (a number stays a number).
    plane.sent.clear();
    RunReport later = plane.run("""
        name: typed
        variables: {delay: 100, codes: [503]}
        hooks:
          - {hook_type: pre_orchestration, actions: [{type: set_variable, name: delay, value: 250}]}
        steps:
          - name: "slow by ${variables.delay} ms"
            scenario:
              config:
                latency: {fixed_delay_ms: "${variables.delay}"}
                fault_injection: {http_errors: "${variables.codes}", http_error_probability: 0.5}
            duration_seconds: 1
            condition: {type: greater_than, variable: delay, value: 200}
        """);
    assertThat(later.steps()).extracting(s -> s.name() + "=" + s.status()).containsExactly("slow by 250 ms=succeeded");
    assertThat(new JsonObject(sentConfigs().get(0)).getJsonObject("latency").getValue("fixed_delay_ms")).isEqualTo(250);
    assertThat(new JsonObject(sentConfigs().get(0)).getJsonObject("fault_injection").getJsonArray("http_errors").getList())
        .containsExactly(503);
  }

  @Test
  void aStepWithoutADurationLastsItsScenariosDefault() throws Exception {
    plane.save("baseline", new JsonObject().put("latency", new JsonObject().put("fixed_delay_ms", 10)), 45.0);
    RunReport report = plane.run("""
        name: defaults
        conditional_steps:
          - name: "Check latency threshold"
            condition:
              type: "metric_threshold"
              metric_name: "avg_latency"
              operator: "greater_than"
              threshold: 500.0
            then_steps:
              - name: "High latency detected"
                scenario: "network_degradation"
            else_steps:
              - name: "Normal operation"
                scenario: "baseline"
        steps:
          - {name: built-in, scenario: network_degradation, duration_seconds: 0}
          - {name: inline, scenario: {config: {latency: {fixed_delay_ms: 5}}}}
        """);
    assertThat(report.steps()).extracting(s -> s.name() + "=" + s.durationMs()).containsExactly(
        "built-in=60000", "inline=0", "Check latency threshold=45000", "Normal operation=45000");
  }

  @Test
  void aConfigNamedAfterNoKnownScenarioIsTheInlineScenarioOfThatName() throws Exception {
    // 003: "name: string  # Scenario name or inline config"
    RunReport report = plane.run("""
        name: inline-named
        steps:
          - name: custom
            scenario:
              name: my_custom_latency
              config:
                latency: {fixed_delay_ms: 250}
            duration_seconds: 1
          - name: refined
            scenario:
              name: slow_backend
              config:
                latency: {fixed_delay_ms: 300}
            duration_seconds: 1
        """);
    assertThat(report.status()).as(report.errors().toString()).isEqualTo("succeeded");
    JsonObject inline = new JsonObject(sentConfigs().get(0));
    assertThat(inline.getJsonObject("latency").getInteger("fixed_delay_ms")).isEqualTo(250);
    assertThat(inline.getJsonObject("latency").containsKey("jitter_percent")).as("nothing of a scenario under it").isFalse();
    JsonObject refined = new JsonObject(sentConfigs().get(1));
    assertThat(refined.getJsonObject("latency").getInteger("fixed_delay_ms")).isEqualTo(300);
    assertThat(refined.getJsonObject("latency").getDouble("jitter_percent")).as("slow_backend's own").isEqualTo(10.0);
  }

  @Test
  void aRefusedHttpRequestIsAWarningAndTheHooksOtherActionsStillRun() throws Exception {
    RunReport report = plane.run("""
        name: notify
        hooks:
          - name: "notify_start"
            hook_type: "pre_orchestration"
            actions:
              - type: "http_request"
                url: "https://hooks.slack.com/services/YOUR/WEBHOOK/URL"
                method: "POST"
                body: '{"text": "Chaos orchestration starting"}'
              - type: "set_variable"
                name: "orchestration_start"
                value: "2025-10-07T12:00:00Z"
        steps:
          - {name: a, scenario: slow_backend, duration_seconds: 1}
        """, Permissions.NONE);
    assertThat(report.variables().getString("orchestration_start")).isEqualTo("2025-10-07T12:00:00Z");
    assertThat(report.warnings()).singleElement().asString().startsWith("hook notify_start: http_request to hooks.slack.com refused:"
        + " https://hooks.slack.com:443 is not in orchestration.http_allow_list []").endsWith("; the hook's other actions still run");
    assertThat(report.errors()).isEmpty();
    assertThat(report.status()).isEqualTo("succeeded");
    assertThat(plane.hooks).containsExactly("pre_orchestration:notify_start=failed");

    RunReport required = plane.run("""
        name: required-notify
        hooks:
          - name: must-notify
            hook_type: pre_orchestration
            required: true
            actions:
              - {type: http_request, url: "https://hooks.slack.com/services/YOUR/WEBHOOK/URL", method: POST}
              - {type: set_variable, name: never, value: set}
        steps:
          - {name: a, scenario: slow_backend, duration_seconds: 1}
        """, Permissions.NONE);
    assertThat(required.status()).isEqualTo("failed");
    assertThat(required.variables().containsKey("never")).isFalse();
    assertThat(required.errors()).anySatisfy(e -> assertThat(e).startsWith("hook must-notify failed: http_request to hooks.slack.com refused"));
  }
}
