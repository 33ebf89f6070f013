package io.faultline.orchestration.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class OrchestrationParserTest {

  @Test
  void everyReferenceExampleValidates() throws IOException {
    // Copied unchanged from shared/reference/orchestration-examples (the build sees only the repository).
    Path dir = Path.of("src", "test", "resources", "reference-examples");
    List<Path> files;
    try (Stream<Path> listed = Files.list(dir)) {
      files = listed.sorted().toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(11);
    for (Path file : files) {
      OrchestrationParser.Result result = OrchestrationParser.parse(Files.readString(file));
      assertThat(result.problems()).as(file.getFileName().toString()).isEmpty();
      assertThat(result.orchestration().steps()).as(file.getFileName().toString()).isNotEmpty();
    }
  }

  @Test
  void aPlaceholderNothingDeclaresSetsOrMeasuresIsRefusedNamingIt() {
    // each passed validation: the run then named a step "x " or failed the step when it came
    OrchestrationParser.Result result = OrchestrationParser.parse("""
        name: refs
        variables: {delay: 100}
        steps:
          - name: "x ${variables.nope}"
            scenario: {config: {latency: {fixed_delay_ms: "${variables.dleay}"}}}
            duration_seconds: 1
        advanced_steps:
          - name: s
            base: {scenario: {config: {latency: {fixed_delay_ms: 10}}}, duration_seconds: 1}
            assertions:
              - {type: variable_equals, variable: "${variables.nope2}", expected: 1}
        """);
    assertThat(result.problems()).extracting(p -> p.path())
        .contains("steps[0].name", "steps[0].scenario.config.latency.fixed_delay_ms", "advanced_steps[0].assertions[0].variable");
    assertThat(result.problems().get(0).message()).startsWith("${variables.nope} names no variable: declare nope under variables");
    // what is declared, given at the start, set by a set_variable action, or measured by a step passes
    OrchestrationParser.Result fine = OrchestrationParser.parse("""
        name: refs
        variables: {delay: 100}
        steps:
          - name: "a ${variables.delay} ${variables.error_rate} ${variables.from_start}"
            scenario: {config: {latency: {fixed_delay_ms: "${variables.delay}"}}}
            post_hooks:
              - {name: h, hook_type: post_step, actions: [{type: set_variable, name: set_later, value: 1}]}
          - name: "b ${variables.set_later} ${variables.last_step_status} ${variables.affected_count} ${variables.faulted_count}"
            scenario: slow_backend
        """, java.util.Map.of("from_start", 3));
    assertThat(fine.problems()).isEmpty();
    assertThat(fine.warnings()).isEmpty();
  }

  /**
   * A misspelt name in the run's own assertions is refused as in a step's (it became nothing, and the run failed at its
   * end: "step Test  not run"); in a hook, which fills itself in as it runs, it is a warning that it becomes empty (a
   * pod name went to kubectl as an empty argument without a word).
   */
  @Test
  void aPlaceholderNamingNothingInTheRunsAssertionsIsRefusedAndInAHookWarnedOf() {
    OrchestrationParser.Result refused = OrchestrationParser.parse("""
        name: misspelt
        variables: {target_endpoint: api}
        steps:
          - {name: Test api, scenario: slow_backend}
        assertions:
          - {type: step_succeeded, step_name: "Test ${variables.target_endpiont}"}
        """);
    assertThat(refused.problems()).extracting(p -> p.path() + ": " + p.message()).singleElement().asString()
        .startsWith("assertions[0].step_name: ${variables.target_endpiont} names no variable");
    OrchestrationParser.Result warned = OrchestrationParser.parse("""
        name: hooked
        variables: {pod: web-1}
        hooks:
          - hook_type: post_orchestration
            actions: [{type: log, message: "deleting ${variables.podd}"}]
        advanced_steps:
          - name: s
            base: {scenario: slow_backend, duration_seconds: 1}
            pre_hooks: [{actions: [{type: log, message: "on ${variables.pod} ${variables.nodd}"}]}]
        """);
    assertThat(warned.problems()).isEmpty();
    assertThat(warned.warnings()).extracting(w -> w.path() + ": " + w.message().substring(0, w.message().indexOf(" names")))
        .containsExactlyInAnyOrder("hooks[0].actions[0].message: ${variables.podd}",
            "advanced_steps[0].pre_hooks[0].actions[0].message: ${variables.nodd}");
    assertThat(warned.warnings().get(0).message()).contains("becomes empty when the hook runs");
  }

  /**
   * The run's own assertions, its abort guard and hooks' conditions read the variables as a step does (reference 004:
   * "variables accessible in conditions and hooks"): a global max of "${variables.error_threshold}" was refused as no
   * number, the guard's value too, and a hook's condition compared the placeholder's text, so the hook never ran.
   */
  @Test
  void theRunsAssertionsGuardAndHookConditionsReadTheVariables() {
    OrchestrationParser.Result result = OrchestrationParser.parse("""
        name: thresholds
        variables: {error_threshold: 0.05, target_env: staging}
        steps:
          - {name: a, scenario: slow_backend}
        assertions:
          - {type: metric_in_range, metric: error_rate, min: 0, max: "${variables.error_threshold}"}
        abort_when:
          condition: {type: greater_than, variable: error_rate, value: "${variables.error_threshold}"}
          for_seconds: 5
        hooks:
          - name: staging-only
            hook_type: pre_orchestration
            condition: {type: equals, variable: environment, value: "${variables.target_env}"}
            actions: [{type: log, message: "on ${variables.target_env}"}]
        """, java.util.Map.of("target_env", "prod"));
    assertThat(result.problems()).isEmpty();
    var orchestration = result.orchestration();
    assertThat(orchestration.assertions().get(0).max()).isEqualTo(0.05);
    assertThat(orchestration.abortWhen().condition().value()).isEqualTo(0.05);
    // kept, to be filled as the hook runs with the values of that moment (RunTest: the start's over the file's, a
    // set_variable's over both)
    assertThat(orchestration.hooks().get(0).condition().value()).isEqualTo("${variables.target_env}");
  }

  @Test
  void anEmptyNameOrOneYamlReadAsAnotherTypeIsRefusedWithAHint() {
    OrchestrationParser.Result result = OrchestrationParser.parse("""
        name: "  "
        steps:
          - {name: true, scenario: slow_backend}
          - {name: 2024-01-01, scenario: slow_backend}
          - {name: "", scenario: slow_backend}
          - {name: yes, scenario: slow_backend}
        """);
    // (yes is a name, as YAML 1.2 reads it: 1.1's boolean yes/no/on/off are text, as in a config file)
    assertThat(result.problems()).extracting(p -> p.path()).containsExactly("name", "steps[0].name", "steps[1].name", "steps[2].name");
    assertThat(result.problems().get(0).message()).isEqualTo("must not be empty");
    assertThat(result.problems().get(1).message()).isEqualTo("must be a string, got true (quote it: YAML read it as a boolean)");
    assertThat(result.problems().get(2).message()).startsWith("must be a string, got ").endsWith("(quote it: YAML read it as a date)");
    assertThat(result.problems().get(3).message()).isEqualTo("must not be empty");
  }

  /**
   * YAML 1.1's octal, base-60 and binary forms are not numbers here, as in a config file: {@code fixed_delay_ms: 010} ran
   * an 8 ms delay and {@code duration_seconds: 1:30} a 90 s step, where the config file refuses them naming the field.
   */
  @Test
  void numbersReadAsAConfigFileReadsThem() {
    OrchestrationParser.Result result = OrchestrationParser.parse("""
        name: numbers
        steps:
          - {name: a, scenario: {config: {latency: {fixed_delay_ms: 010}}}, duration_seconds: 1:30}
          - {name: b, scenario: {config: {latency: {fixed_delay_ms: 0b11}}}, duration_seconds: 1_0}
          - {name: c, scenario: {config: {latency: {fixed_delay_ms: 0x10}}}, duration_seconds: 0.5}
        """);
    assertThat(result.problems()).extracting(p -> p.path()).containsExactly("steps[0].scenario.config.latency.fixed_delay_ms",
        "steps[0].duration_seconds", "steps[1].scenario.config.latency.fixed_delay_ms");
    assertThat(result.problems().get(0).message()).contains("010");
    assertThat(result.problems().get(1).message()).contains("1:30");
  }

  @Test
  void aStepAssertionMustNameAStepOfTheOrchestration() {
    OrchestrationParser.Result result = OrchestrationParser.parse("""
        name: refs
        steps:
          - {name: warm, scenario: slow_backend}
        conditional_steps:
          - {name: check, condition: {type: previous_step_succeeded}, then_steps: [{name: deep, scenario: slow_backend}]}
        assertions:
          - {type: step_succeeded, step_name: warm}
          - {type: step_succeeded, step_name: deep}
          - {type: step_failed, step_name: wram}
        """);
    assertThat(result.problems()).extracting(p -> p.path() + " (line " + p.line() + "): " + p.message()).containsExactly(
        "assertions[2].step_name (line 9): no step is named wram in this orchestration (its steps: [check, deep, warm])");
  }

  @Test
  void reportingNeedsBothItsSwitchAndItsPath() {
    String steps = "name: r\nsteps: [{name: a, scenario: slow_backend}]\n";
    assertThat(OrchestrationParser.parse(steps + "enable_reporting: true\n").problems()).extracting(p -> p.path()).containsExactly("report_path");
    assertThat(OrchestrationParser.parse(steps + "report_path: out.html\n").problems()).extracting(p -> p.path())
        .containsExactly("enable_reporting");
    assertThat(OrchestrationParser.parse(steps + "enable_reporting: false\nreport_path: out.html\n").problems()).isEmpty();
  }

  /** A report over the node's own files is refused: runs-open/ too (a report there kept interrupted runs out of history). */
  @Test
  void aReportPathOverTheNodesOwnFilesIsRefusedNamingThem() {
    String steps = "name: r\nenable_reporting: true\nsteps: [{name: a, scenario: slow_backend}]\n";
    for (String own : new String[] {"runs-open/x.json", "scenarios.json", "library/a.json", "history.db.json", "reports/a.json"}) {
      assertThat(OrchestrationParser.parse(steps + "report_path: \"" + own + "\"\n").problems()).as(own)
          .extracting(p -> p.path() + ": " + p.message()).singleElement().asString().startsWith("report_path: must not be");
    }
    assertThat(OrchestrationParser.parse(steps + "report_path: \"runs-open/x.json\"\n").problems()).extracting(p -> p.message())
        .containsExactly("must not be in or over the node's own runs-open (its state directory keeps scenarios.json, library/, reports/,"
            + " runs-open/ and the databases): choose another name or directory, got runs-open/x.json");
    assertThat(OrchestrationParser.parse(steps + "report_path: \"runs/x.json\"\n").problems()).isEmpty();
  }

  @Test
  void maxIterationsWithoutALoopIsRefusedUnlessItIsReference003sOne() {
    String steps = "name: r\nsteps: [{name: a, scenario: slow_backend}]\n";
    assertThat(OrchestrationParser.parse(steps + "max_iterations: 24\n").problems())
        .extracting(p -> p.path() + " (line " + p.line() + "): " + p.message())
        .containsExactly("max_iterations (line 3): runs the orchestration 24 times only with loop_orchestration: true;"
            + " without it the run goes once");
    assertThat(OrchestrationParser.parse(steps + "loop_orchestration: false\nmax_iterations: 0\n").problems())
        .extracting(p -> p.message()).containsExactly("runs the orchestration without end only with loop_orchestration: true;"
            + " without it the run goes once");
    // as reference 003 writes it, and looping
    assertThat(OrchestrationParser.parse(steps + "loop_orchestration: false\nmax_iterations: 1\n").problems()).isEmpty();
    assertThat(OrchestrationParser.parse(steps + "loop_orchestration: true\nmax_iterations: 24\n").problems()).isEmpty();
  }

  /**
   * A count that is no whole number, and YAML's .nan in any number, are refused: max_iterations 0.5 and .nan
   * were read as 0 (a loop without end), and .nan passed every range (abort_when's for_seconds: no guard).
   */
  /** The step metrics every report carries may be asserted on: faulted_count and affected_count were refused. */
  @Test
  void everyStepMetricMayBeAsserted() {
    for (String metric : List.of("faulted_count", "affected_count")) {
      assertThat(OrchestrationParser.parse("name: r\nsteps:\n  - name: a\n    scenario: slow_backend\n    assertions:\n"
          + "      - {type: metric_in_range, metric: " + metric + ", min: 0, max: 10}\n").problems()).as(metric).isEmpty();
    }
  }

  @Test
  void fractionsWhereCountsGoAndNanAnywhereAreRefused() {
    String loop = "name: r\nsteps: [{name: a, scenario: slow_backend}]\nloop_orchestration: true\n";
    assertThat(OrchestrationParser.parse(loop + "max_iterations: 0.5\n").problems()).extracting(p -> p.path() + ": " + p.message())
        .containsExactly("max_iterations: must be a whole number, got 0.5");
    assertThat(OrchestrationParser.parse(loop + "max_iterations: .nan\n").problems()).extracting(p -> p.path())
        .containsExactly("max_iterations");
    assertThat(OrchestrationParser.parse("name: r\nsteps: [{name: a, scenario: slow_backend, duration_seconds: .nan}]\n").problems())
        .extracting(p -> p.path()).containsExactly("steps[0].duration_seconds");
    assertThat(OrchestrationParser.parse("name: r\nsteps: [{name: a, scenario: slow_backend}]\n"
        + "abort_when: {condition: {type: metric_threshold, metric: error_rate, operator: greater_than, threshold: 0.5}, for_seconds: .nan}\n")
        .problems()).extracting(p -> p.path()).containsExactly("abort_when.for_seconds");
    // a threshold left out never held (not_equals always did): validate said valid
    assertThat(OrchestrationParser.parse("name: r\nsteps: [{name: a, scenario: slow_backend}]\n"
        + "abort_when: {condition: {type: metric_threshold, metric: error_rate, operator: greater_than}}\n")
        .problems()).extracting(p -> p.path() + ": " + p.message()).containsExactly("abort_when.condition.threshold: is required");
  }

  /**
   * The run-wide metrics (the worst step's) exist in the run's own assertions alone: a guard, a step's condition or
   * assertion, or a hook's condition on one validated and never held. And NaN is no number for a comparison (it held as
   * greater than any value).
   */
  @Test
  void runWideMetricsOutsideGlobalAssertionsAndNanComparisonsAreRefused() {
    String steps = "name: r\nsteps:\n  - name: a\n    scenario: slow_backend\n";
    assertThat(OrchestrationParser.parse(steps
        + "abort_when: {condition: {type: metric_threshold, metric_name: max_error_rate, operator: greater_than, threshold: 0.5}}\n")
        .problems()).extracting(p -> p.path() + ": " + p.message()).containsExactly("abort_when.condition.metric_name: max_error_rate is"
            + " the worst step's over a whole run: only a global assertion has it (here: error_rate; a variable of that name is"
            + " variables.max_error_rate)");
    assertThat(OrchestrationParser.parse(steps
        + "    condition: {type: not, condition: {type: metric_threshold, metric: max_latency_p99, operator: less_than, threshold: 9}}\n"
        + "    assertions: [{type: metric_in_range, metric: max_avg_latency, max: 100}]\n").problems())
        .extracting(p -> p.path()).containsExactly("steps[0].condition.condition.metric", "steps[0].assertions[0].metric");
    // as a comparison's variable the name reads a variable of that name (declared or set by a hook): taken, as before
    assertThat(OrchestrationParser.parse(steps + "abort_when: {condition: {type: greater_than, variable: max_error_rate, value: 0.5}}\n")
        .problems()).isEmpty();
    // where the run is measured whole, they are known
    assertThat(OrchestrationParser.parse(steps + "assertions:\n"
        + "  - {type: metric_in_range, metric: max_error_rate, max: 0.1}\n"
        + "  - {type: condition, condition: {type: metric_threshold, metric_name: max_latency_p99, operator: less_than, threshold: 900}}\n")
        .problems()).isEmpty();
    assertThat(OrchestrationParser.parse(steps + "abort_when: {condition: {type: less_than, variable: error_rate, value: .nan}}\n")
        .problems()).extracting(p -> p.path() + ": " + p.message()).containsExactly("abort_when.condition.value: must be a finite number, got NaN");
  }

  @Test
  void aParallelOrchestrationRefusesWhatItWouldIgnore() {
    OrchestrationParser.Result result = OrchestrationParser.parse("""
        name: together
        parallel: true
        steps:
          - {name: a, scenario: slow_backend, duration_seconds: 1}
          - {name: b, scenario: slow_backend, delay_before_seconds: 2}
        advanced_steps:
          - {name: c, base: {scenario: slow_backend}, condition: {type: previous_step_succeeded}}
        conditional_steps:
          - {name: d, condition: {type: previous_step_failed}, then_steps: [{name: e, scenario: slow_backend}]}
        """);
    assertThat(result.problems()).extracting(p -> p.path() + " (line " + p.line() + ")").containsExactly(
        "steps[1].delay_before_seconds (line 5)", "advanced_steps[0].condition (line 7)", "conditional_steps[0] (line 9)");
    assertThat(result.problems().get(0).message()).startsWith("a parallel orchestration applies all its steps at once");
  }

  @Test
  void anInvalidFileGetsEveryProblemWithItsPathAndLine() {
    String yaml = """
        description: no name here
        steps:
          - name: one
            scenario:
              config:
                latency: {fixed_delay_ms: -5}
            duration_seconds: ten
          - scenario: slow_backend
            colour: blue
        conditional_steps:
          - name: branch
            condition: {type: sometimes}
            then_steps: []
        hooks:
          - hook_type: mid_step
            actions: [{type: teleport}]
        assertions:
          - {type: metric_in_range, metric: vibes, min: 2, max: 1}
        """;
    OrchestrationParser.Result result = OrchestrationParser.parse(yaml);
    assertThat(result.valid()).isFalse();
    assertThat(result.problems()).extracting(Object::toString).containsExactlyInAnyOrder(
        "line 1: name: is required",
        "line 6: steps[0].scenario.config.latency.fixed_delay_ms: must be 0 or more, got -5",
        "line 7: steps[0].duration_seconds: must be a number, got ten",
        "line 8: steps[1].name: is required",
        "line 9: steps[1].colour: unknown field; expected one of [assertions, condition, continue_on_failure, delay_before_seconds, "
            + "description, duration_seconds, name, post_hooks, pre_hooks, scenario, variables]",
        "line 12: conditional_steps[0].condition.type: must be one of [and, equals, exists, greater_than, less_than, "
            + "metric_threshold, not, not_equals, or, previous_step_failed, previous_step_succeeded], got sometimes",
        "line 13: conditional_steps[0].then_steps: a conditional step needs then_steps or else_steps",
        "line 15: hooks[0].hook_type: must be one of [post_orchestration, post_step, pre_orchestration, pre_step], got mid_step",
        "line 16: hooks[0].actions[0].type: must be one of [command, http_request, log, record_metric, set_variable], got teleport",
        "line 18: assertions[0].metric: must be one of " + io.faultline.orchestration.Metrics.NAMES + " or custom.NAME (record_metric), got vibes",
        "line 18: assertions[0]: min 2.0 is above max 1.0");
  }

  /** A record_metric value that is no number was found only when the hook ran, failing it mid-run; a placeholder is still checked then. */
  @Test
  void aRecordMetricValueThatIsNoNumberIsAProblemBeforeTheRun() {
    String yaml = """
        name: m
        steps: [{name: s, scenario: slow_backend}]
        hooks:
          - hook_type: post_step
            actions:
              - {type: record_metric, name: a, value: abc}
              - {type: record_metric, name: b, value: true}
              - {type: record_metric, name: c, value: "2.5"}
              - {type: record_metric, name: d, value: 7}
              - {type: record_metric, name: e, value: "${variables.error_rate}"}
              - {type: set_variable, name: f, value: abc}
        """;
    assertThat(OrchestrationParser.parse(yaml).problems()).extracting(Object::toString).containsExactly(
        "line 6: hooks[0].actions[0].value: must be a number (or text that is one, or a ${variable} that holds one), got abc",
        "line 7: hooks[0].actions[1].value: must be a number (or text that is one, or a ${variable} that holds one), got true");
  }

  /**
   * An http_request's expected_status and headers are checked before the run (taken as text and ignored, a required gate
   * passed on any status under 400), and a step's hook lists take only their own type (a post_orchestration hook in
   * pre_hooks ran before the step).
   */
  @Test
  void anHttpRequestsStatusAndHeadersAndAStepsHookTypesAreCheckedBeforeTheRun() {
    String yaml = """
        name: m
        steps:
          - name: s
            scenario: slow_backend
            pre_hooks:
              - {hook_type: post_orchestration, actions: [{type: log, message: x}]}
              - {hook_type: pre_step, actions: [{type: log, message: y}]}
        hooks:
          - hook_type: pre_orchestration
            required: true
            actions:
              - {type: http_request, url: "http://127.0.0.1:1/ready", expected_status: "204"}
              - {type: http_request, url: "http://127.0.0.1:1/ready", expected_status: 2040}
              - {type: http_request, url: "http://127.0.0.1:1/ready", headers: "X-A: b"}
              - {type: http_request, url: "http://127.0.0.1:1/ready", headers: {X-A: {b: c}}}
              - {type: http_request, url: "http://127.0.0.1:1/ready", expected_status: 204, headers: {X-A: b, X-N: 3},
                 body: {text: hello}}
        """;
    assertThat(OrchestrationParser.parse(yaml).problems()).extracting(Object::toString).containsExactly(
        "line 6: steps[0].pre_hooks[0].hook_type: must be pre_step in pre_hooks (or left out), got post_orchestration: hooks of"
            + " other types go in the orchestration's hooks",
        "line 12: hooks[0].actions[0].expected_status: must be a number, got 204",
        "line 13: hooks[0].actions[1].expected_status: must be between 100 and 599, got 2040",
        "line 14: hooks[0].actions[2].headers: must be an object, got X-A: b",
        "line 15: hooks[0].actions[3].headers.X-A: must be text (or a number), got {b=c}");
  }

  @Test
  void jsonAndYamlReadTheSame() {
    String json = "{\"name\": \"j\", \"steps\": [{\"name\": \"s\", \"scenario\": \"slow_backend\", \"duration_seconds\": 1.5}],"
        + " \"loop_orchestration\": true, \"max_iterations\": 3}";
    io.faultline.orchestration.model.Orchestration o = OrchestrationParser.parse(json).orchestration();
    assertThat(o.loop()).isTrue();
    assertThat(o.maxIterations()).isEqualTo(3);
    assertThat(o.steps().get(0).scenario()).isEqualTo("slow_backend");
    assertThat(o.steps().get(0).durationSeconds()).isEqualTo(1.5);
    assertThat(OrchestrationParser.parse("{\"name\": ").problems().get(0).message()).startsWith("malformed JSON");
    assertThat(OrchestrationParser.parse("name: [unclosed").problems().get(0).toString()).contains("malformed YAML");
  }

  /**
   * A schedule written as a crontab line has it, unquoted, is YAML's alias syntax: the problem says to quote it (it said
   * "unexpected character found /(47)"), and the schedule quoted, or in crontab's names and shortcuts, is taken.
   */
  @Test
  void anUnquotedScheduleIsToldToBeQuotedAndCrontabsFormsAreTaken() {
    String steps = "steps: [{name: s, scenario: slow_backend, duration_seconds: 1}]\n";
    assertThat(OrchestrationParser.parse("name: n\nschedule: */15 * * * *\n" + steps).problems()).extracting(Object::toString)
        .containsExactly("line 2: text: malformed YAML: a value starting with * is read as an alias (*name): quote it, as in"
            + " schedule: \"*/15 * * * *\"");
    assertThat(OrchestrationParser.parse("name: n\nschedule: @daily\n" + steps).problems()).extracting(Object::toString)
        .containsExactly("line 2: text: malformed YAML: a value cannot start with @ unquoted: quote it, as in schedule: \"@daily\"");
    for (String schedule : List.of("\"*/15 * * * *\"", "0 3 * * MON-FRI", "\"@daily\"")) {
      assertThat(OrchestrationParser.parse("name: n\nschedule: " + schedule + "\n" + steps).problems()).as(schedule).isEmpty();
    }
  }

  @Test
  void aNameLongerThanTheHistoryKeepsIsRefusedByName() {
    String steps = "steps: [{name: s, scenario: slow_backend, duration_seconds: 1}]";
    assertThat(OrchestrationParser.parse("name: " + "n".repeat(256) + "\n" + steps).problems()).isEmpty();
    assertThat(OrchestrationParser.parse("name: " + "n".repeat(257) + "\n" + steps).problems()).extracting(Object::toString)
        .containsExactly("line 1: name: must be at most 256 characters, got 257");
  }

  @Test
  void stepsOfOneNameAreAWarningAtTheLaterOnesLineNotAProblem() {
    OrchestrationParser.Result result = OrchestrationParser.parse("""
        name: twice
        variables: {which: a}
        steps:
          - name: warm
            scenario: slow_backend
          - name: "${variables.which}"
            scenario: slow_backend
          - name: a
            scenario: slow_backend
        conditional_steps:
          - name: check
            condition: {type: previous_step_succeeded}
            then_steps:
              - name: warm
                scenario: slow_backend
        """);
    assertThat(result.problems()).isEmpty();
    assertThat(result.warnings()).extracting(w -> w.path() + "@" + w.line() + ": " + w.message()).containsExactly(
        "steps[2].name@8: the step steps[1] is named a too: step_succeeded assertions and reports that name a step cannot"
            + " tell the two apart",
        "conditional_steps[0].then_steps[0].name@14: the step steps[0] is named warm too: step_succeeded assertions and"
            + " reports that name a step cannot tell the two apart");
    assertThat(OrchestrationParser.parse("name: once\nsteps: [{name: a, scenario: slow_backend}, {name: b, scenario: slow_backend}]")
        .warnings()).isEmpty();
  }

  /**
   * A step's config with rules is refused, naming them: applied, they replaced the node's rules (a task's too), and the
   * run's end, which puts back all but the rules, left the step's rules on for good and the user's gone.
   */
  @Test
  void rulesInAStepsConfigAreRefusedNamingThem() {
    OrchestrationParser.Result result = OrchestrationParser.parse("""
        name: ruled
        steps:
          - name: slow-users
            scenario:
              config:
                rules: [{name: slow-users, match: {path: "/users/*"}, latency: {fixed_delay_ms: 100}}]
            duration_seconds: 5
        advanced_steps:
          - name: also
            base: {scenario: {name: slow_backend, config: {rules: []}}, duration_seconds: 1}
        """);
    assertThat(result.problems()).extracting(p -> p.path())
        .containsExactly("steps[0].scenario.config.rules", "advanced_steps[0].base.scenario.config.rules");
    assertThat(result.problems().get(0).message()).startsWith("a step's chaos is sections only: a run changes no rules");
  }
}
