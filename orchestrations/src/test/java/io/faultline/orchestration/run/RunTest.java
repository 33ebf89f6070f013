package io.faultline.orchestration.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.control.Addresses;
import io.faultline.chaos.testing.Upstreams;
import io.faultline.orchestration.hook.Permissions;
import io.faultline.orchestration.report.ReportFormats;
import io.faultline.orchestration.report.RunReport;
import io.faultline.orchestration.report.StepResult;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Runs driven against a control plane of real event-bus consumers, on a virtual clock. */
class RunTest {

  private final ControlPlane plane = new ControlPlane();

  @AfterEach
  void close() {
    plane.close();
  }

  private static List<String> steps(RunReport report) {
    return report.steps().stream().map(s -> s.name() + "=" + s.status()).toList();
  }

  @Test
  void stepsRunInOrderOnTheClockAndTheConfigIsRestored() throws Exception {
    JsonObject before = plane.config.copy();
    RunReport report = plane.run("""
        name: ordered
        steps:
          - {name: a, scenario: slow_backend, duration_seconds: 30}
          - {name: b, scenario: {config: {latency: {fixed_delay_ms: 100}}}, duration_seconds: 60, delay_before_seconds: 5}
        """);
    assertThat(report.status()).isEqualTo("succeeded");
    assertThat(steps(report)).containsExactly("a=succeeded", "b=succeeded");
    assertThat(report.steps().get(0).durationMs()).isEqualTo(30_000);
    assertThat(report.steps().get(1).durationMs()).isEqualTo(60_000);
    assertThat(report.durationMs()).as("virtual time: 30 + 5 + 60 s").isEqualTo(95_000);
    assertThat(plane.sent).extracting(ControlPlane.Sent::address)
        .containsExactly(Addresses.SCENARIO_START, Addresses.CHAOS_SET, io.faultline.chaos.control.InternalAddresses.CHAOS_RESTORE);
    assertThat(plane.config).as("the config before the run is back").isEqualTo(before);
  }

  @Test
  void aParallelStepsChaosEndsWithItsOwnDuration() throws Exception {
    JsonObject before = plane.config.copy();
    RunReport report = plane.run("""
        name: together
        parallel: true
        steps:
          - {name: slow, scenario: {config: {latency: {fixed_delay_ms: 100}}}, duration_seconds: 2}
          - {name: failing, scenario: {config: {fault_injection: {http_errors: [504], http_error_probability: 0.5}}}, duration_seconds: 4}
        """);
    assertThat(steps(report)).containsExactly("slow=succeeded", "failing=succeeded");
    List<JsonObject> sets = plane.sent.stream().filter(s -> s.address().equals(Addresses.CHAOS_SET)).map(ControlPlane.Sent::body).toList();
    assertThat(sets.get(0).fieldNames()).as("both at once").contains("latency", "fault_injection");
    // after 2 s only the longer step's chaos: the latency stayed on for all 4 s, in the failing step's metrics
    assertThat(sets.get(1).fieldNames()).contains("fault_injection").doesNotContain("latency");
    assertThat(report.durationMs()).as("virtual time").isEqualTo(4_000);
    assertThat(plane.config).isEqualTo(before);
  }

  /**
   * A checkpoint carries what the last measured step saw: a run resumed on another node read an empty object there, so
   * its next {@code metric_threshold} condition was false whatever the traffic had shown.
   */
  @Test
  void aCheckpointKeepsWhatTheLastStepMeasured() {
    RunState state = new RunState(VirtualClock.manual(), new Watchdog(VirtualClock.manual(), why -> { }), java.util.Map.of());
    state.measured(new JsonObject().put("avg_latency", 245.0).put("error_rate", 0.02));
    JsonObject checkpoint = Checkpoints.write("run-x", new Checkpoints.Position(1_000, 1, 2, new JsonObject()), state, new Results());
    RunState resumed = new RunState(VirtualClock.manual(), new Watchdog(VirtualClock.manual(), why -> { }), java.util.Map.of());
    Checkpoints.read(new JsonObject(checkpoint.encode()), resumed, new Results(), 2_000);
    assertThat(resumed.lastMetrics).isEqualTo(new JsonObject().put("avg_latency", 245.0).put("error_rate", 0.02));
    Checkpoints.read(new JsonObject(checkpoint.encode()).put("last_metrics", null), new RunState(VirtualClock.manual(),
        new Watchdog(VirtualClock.manual(), why -> { }), java.util.Map.of()), new Results(), 2_000); // an older checkpoint
  }

  /**
   * A parallel step of no duration (an inline config without {@code duration_seconds}) ends as it begins: its chaos goes
   * at once, not after the longest step (its HTTP errors stayed on for the other step's 4 s, measured as that step's).
   */
  @Test
  void aParallelStepOfNoDurationEndsAtOnce() throws Exception {
    RunReport report = plane.run("""
        name: together
        parallel: true
        steps:
          - {name: blip, scenario: {config: {fault_injection: {http_errors: [503], http_error_probability: 1.0}}}}
          - {name: slow, scenario: {config: {latency: {fixed_delay_ms: 100}}}, duration_seconds: 4}
        """);
    assertThat(steps(report)).containsExactly("blip=succeeded", "slow=succeeded");
    List<JsonObject> sets = plane.sent.stream().filter(s -> s.address().equals(Addresses.CHAOS_SET)).map(ControlPlane.Sent::body).toList();
    assertThat(sets).hasSize(2);
    assertThat(sets.get(0).fieldNames()).as("both at once").contains("latency", "fault_injection");
    assertThat(sets.get(1).fieldNames()).as("at once, the lasting step's alone").contains("latency").doesNotContain("fault_injection");
    assertThat(report.steps().get(0).durationMs()).isZero();
    assertThat(report.durationMs()).as("virtual time").isEqualTo(4_000);
  }

  @Test
  void everyControlMessageSaysItComesFromTheRun() throws Exception {
    plane.run("""
        name: sourced
        steps:
          - {name: a, scenario: slow_backend, duration_seconds: 1}
          - {name: b, scenario: {config: {latency: {fixed_delay_ms: 100}}}, duration_seconds: 1}
        """);
    assertThat(plane.sent).hasSize(3).allSatisfy(s -> assertThat(s.source()).isEqualTo("orchestration:run-test"));
  }

  @Test
  void progressCountsTheStepsOfTheBranchTakenAndEndsAtOne() throws Exception {
    RunReport report = plane.run("""
        name: branching
        steps:
          - {name: a, scenario: slow_backend, duration_seconds: 1}
        conditional_steps:
          - name: check
            condition: {type: previous_step_succeeded}
            then_steps:
              - {name: b, scenario: slow_backend, duration_seconds: 1}
              - {name: c, scenario: slow_backend, duration_seconds: 1}
            else_steps:
              - {name: d, scenario: slow_backend, duration_seconds: 1}
        """);
    assertThat(steps(report)).containsExactly("a=succeeded", "check=succeeded", "b=succeeded", "c=succeeded");
    JsonObject lastRunning = plane.awaitProgress(p -> "c".equals(p.getString("current_step")));
    // a and b are done, c runs: two of three steps (the conditional counts as the branch it took).
    assertThat(lastRunning.getDouble("progress")).isCloseTo(2.0 / 3, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(plane.progress.get(plane.progress.size() - 1).getDouble("progress")).isEqualTo(1.0);
    assertThat(plane.progress).allSatisfy(p -> assertThat(p.getDouble("progress")).isBetween(0.0, 1.0));
  }

  /**
   * A step's own variables count in its own condition, as they do in its strings (reference 004: variables are global or
   * step-level): the condition was read before they were laid over the run's, so the step was skipped. They end with it.
   */
  @Test
  void aStepsOwnVariablesCountInItsCondition() throws Exception {
    RunReport report = plane.run("""
        name: scoped
        steps:
          - name: staging-only
            variables: {env: staging}
            condition: {type: equals, variable: env, value: staging}
            scenario: {config: {latency: {fixed_delay_ms: 5}}}
            duration_seconds: 1
          - name: after
            condition: {type: exists, variable: env}
            scenario: {config: {latency: {fixed_delay_ms: 6}}}
            duration_seconds: 1
        """);
    assertThat(steps(report)).containsExactly("staging-only=succeeded", "after=skipped");
  }

  @Test
  void aConditionalStepEndsAsItsBranchDid() throws Exception {
    RunReport report = plane.run("""
        name: branch-fails
        conditional_steps:
          - name: check
            condition: {type: exists, variable: nothing_here}
            then_steps:
              - {name: never, scenario: slow_backend, duration_seconds: 1}
            else_steps:
              - name: failing
                scenario: slow_backend
                duration_seconds: 1
                continue_on_failure: true
                assertions: [{type: metric_in_range, metric: error_rate, min: 0.5, max: 1}]
          - name: nothing-to-do
            condition: {type: exists, variable: nothing_here}
            then_steps:
              - {name: never-either, scenario: slow_backend, duration_seconds: 1}
        """);
    assertThat(steps(report)).containsExactly("check=failed", "failing=failed", "nothing-to-do=skipped");
    StepResult check = report.steps().get(0);
    assertThat(check.branch()).isEqualTo("else");
    assertThat(check.error()).isEqualTo("a step of the else branch failed");
    assertThat(report.steps().get(2).branch()).isEqualTo("else");
    assertThat(report.status()).isEqualTo("failed");
    // the branch's failure is its step's, counted once (the conditional's own testcase was a second failure)
    String xml = io.faultline.orchestration.report.ReportFormats.junit(report);
    assertThat(xml).contains("tests=\"3\" failures=\"1\" skipped=\"1\"")
        .contains("name=\"check\"").contains("the else branch: failed (a step of the else branch failed)");
  }

  /** A window the node could not measure says why in the assertion: "no request went through the gateway" hid the cause. */
  @Test
  void anAssertionOnAWindowTheNodeCouldNotMeasureSaysWhy() throws Exception {
    plane.window = (from, to) -> {
      throw new IllegalStateException("the recorder is gone");
    };
    RunReport report = plane.run("""
        name: unmeasured
        steps:
          - name: a
            scenario: slow_backend
            duration_seconds: 0.1
            assertions: [{type: metric_in_range, metric: error_rate, min: 0, max: 0.1}]
        """);
    assertThat(report.steps().get(0).assertions()).singleElement().satisfies(a -> assertThat(a.message())
        .isEqualTo("error_rate = not measured (no traffic metrics on this node: the recorder is gone), expected within [0.0, 0.1]"));
  }

  /**
   * A step refused for the kill switch (pressed while the step was on its way, its announcement not come yet) is the kill
   * switch itself: the run stops there and puts nothing back. Taken for a step that could not apply, it failed the run,
   * whose end put back the config it found and switched chaos on again.
   */
  @Test
  void aStepRefusedForTheKillSwitchStopsTheRunAndPutsNothingBack() throws Exception {
    VirtualClock clock = VirtualClock.manual();
    plane.config = new JsonObject().put("enabled", true).put("latency", new JsonObject().put("fixed_delay_ms", 7));
    var ended = plane.start("""
        name: killed
        steps:
          - {name: a, scenario: {config: {latency: {fixed_delay_ms: 5}}}, duration_seconds: 10}
          - {name: b, scenario: {config: {latency: {fixed_delay_ms: 9}}}, duration_seconds: 10}
        """, Permissions.NONE, clock);
    plane.awaitProgress(p -> "a".equals(p.getString("current_step")));
    clock.awaitWaiting();
    plane.config = plane.config.copy().put("enabled", false); // the kill switch, applied
    plane.killed = true;
    clock.advance(10_000);
    RunReport report = ended.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(report.status()).isEqualTo("stopped");
    assertThat(report.errors().toString()).contains("chaos was switched off (the kill switch) while the run went on");
    assertThat(plane.sent).extracting(ControlPlane.Sent::address).as("nothing put back")
        .doesNotContain(io.faultline.chaos.control.InternalAddresses.CHAOS_RESTORE);
    assertThat(plane.config.getBoolean("enabled")).isFalse();
  }

  @Test
  void aStepCutShortByAStopIsReportedStoppedAndFailsInJUnit() throws Exception {
    VirtualClock clock = VirtualClock.manual();
    var ended = plane.start("""
        name: stopped
        steps:
          - {name: long, scenario: slow_backend, duration_seconds: 30}
          - {name: never, scenario: slow_backend, duration_seconds: 30}
        """, Permissions.NONE, clock);
    plane.awaitProgress(p -> "long".equals(p.getString("current_step")));
    clock.awaitWaiting();
    clock.advance(10_000);
    plane.onLoop(() -> plane.run.stop("stopped"));
    RunReport report = ended.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(report.status()).isEqualTo("stopped");
    assertThat(steps(report)).containsExactly("long=stopped");
    assertThat(report.steps().get(0).error()).isEqualTo("cut short by a stop after 10.0 s of 30 s");
    assertThat(ReportFormats.junit(report)).contains("failures=\"1\"")
        .contains("<failure message=\"cut short by a stop after 10.0 s of 30 s\">");
    assertThat(plane.config.getString("scenario")).as("restored").isNull();
    // the step cut short did not run its course: the run is not shown as gone through
    assertThat(plane.progress.get(plane.progress.size() - 1).getDouble("progress")).isEqualTo(0.0);
    assertThat(plane.run.status().getInteger("steps_done")).isZero();
  }

  @Test
  void aCommandThatWritesMoreThanAPipeHoldsFinishesAndItsLogLineComesBackToTheRun() throws Exception {
    RunReport report = plane.run("""
        name: chatty
        hooks:
          - name: chatty
            hook_type: pre_orchestration
            required: true
            actions: [{type: command, command: seq, args: ["1", "200000"], timeout_seconds: 10}]
        steps:
          - {name: a, scenario: slow_backend, duration_seconds: 1}
        """, new Permissions(true, Set.of()));
    assertThat(report.errors()).isEmpty();
    assertThat(report.status()).isEqualTo("succeeded");
    assertThat(String.join("\n", report.log())).contains("command [seq, 1, 200000] -> exit 0: 1\n2\n3").contains("[output truncated]");
    assertThat(plane.hooks).containsExactly("pre_orchestration:chatty=succeeded");
  }

  @Test
  void theRunsLogIsWrittenOnItsEventLoopOnly() throws Exception {
    RunState state = new RunState(VirtualClock.manual(), new Watchdog(VirtualClock.manual(), why -> { }), java.util.Map.of());
    var context = plane.vertx.getOrCreateContext();
    java.util.concurrent.CompletableFuture<Void> confined = new java.util.concurrent.CompletableFuture<>();
    context.runOnContext(v -> {
      state.confineTo(context, 0);
      state.log("on the loop");
      confined.complete(null);
    });
    confined.get(5, TimeUnit.SECONDS);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> state.log("from a worker"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("event loop only");
    assertThat(state.log.list()).hasSize(1).allSatisfy(line -> assertThat(line).endsWith(" on the loop"));
  }

  @Test
  void aRequiredPreOrchestrationHookThatFailsStopsTheRunAndTheConfigIsRestored() throws Exception {
    JsonObject before = plane.config.copy();
    RunReport report = plane.run("""
        name: precondition
        hooks:
          - name: must-pass
            hook_type: pre_orchestration
            required: true
            actions: [{type: command, command: "false"}]
          - name: notify-end
            hook_type: post_orchestration
            actions: [{type: log, message: "ended"}]
        steps:
          - {name: never, scenario: slow_backend, duration_seconds: 30}
        """, new Permissions(true, Set.of()));
    assertThat(report.status()).isEqualTo("failed");
    assertThat(report.steps()).isEmpty();
    assertThat(report.errors()).contains("hook must-pass failed: command [false] exited with 1",
        "a required pre_orchestration hook failed: the steps did not run");
    assertThat(plane.hooks).containsExactly("pre_orchestration:must-pass=failed", "post_orchestration:notify-end=succeeded");
    assertThat(plane.sent).extracting(ControlPlane.Sent::address).containsExactly(io.faultline.chaos.control.InternalAddresses.CHAOS_RESTORE);
    assertThat(plane.config).as("restored").isEqualTo(before);
  }

  /**
   * A required pre_step hook that fails fails its step before the step's chaos is applied: it was applied and
   * held for the whole step, against the precondition the step was gated on. The run goes on to the next
   * step only if the failed one says so.
   */
  @Test
  void aRequiredPreStepHookThatFailsKeepsTheStepsChaosOff() throws Exception {
    JsonObject before = plane.config.copy();
    String steps = """
        name: gated
        advanced_steps:
          - name: gated
            base: {scenario: slow_backend, duration_seconds: 2, continue_on_failure: CONTINUE}
            pre_hooks:
              - {name: must-pass, hook_type: pre_step, required: true, actions: [{type: command, command: "false"}]}
          - {name: after, base: {scenario: slow_backend, duration_seconds: 0.1}}
        """;
    RunReport report = plane.run(steps.replace("CONTINUE", "false"), new Permissions(true, Set.of()));
    assertThat(report.status()).isEqualTo("failed");
    assertThat(steps(report)).containsExactly("gated=failed");
    assertThat(report.steps().get(0).error()).isEqualTo("a required pre_step hook failed: the step's chaos was not applied");
    assertThat(report.steps().get(0).endedAt() - report.steps().get(0).startedAt()).as("ms the step lasted").isLessThan(1_000);
    assertThat(plane.sent).extracting(ControlPlane.Sent::address).as("no chaos applied")
        .containsExactly(io.faultline.chaos.control.InternalAddresses.CHAOS_RESTORE);
    assertThat(plane.config).as("restored").isEqualTo(before);

    plane.sent.clear();
    RunReport going = plane.run(steps.replace("CONTINUE", "true"), new Permissions(true, Set.of()));
    assertThat(steps(going)).containsExactly("gated=failed", "after=succeeded");

    // run in parallel, the steps share their hooks: none of their chaos is applied
    plane.sent.clear();
    RunReport together = plane.run(steps.replace("CONTINUE", "false").replaceFirst("name: gated\n", "name: gated\nparallel: true\n"),
        new Permissions(true, Set.of()));
    assertThat(steps(together)).containsExactly("gated=failed", "after=failed");
    assertThat(together.steps().get(1).error()).isEqualTo("a required pre_step hook failed: the step's chaos was not applied");
    assertThat(plane.sent).extracting(ControlPlane.Sent::address).as("no chaos applied")
        .containsExactly(io.faultline.chaos.control.InternalAddresses.CHAOS_RESTORE);
  }

  @Test
  void aStopEndsTheCommandAHookIsRunningAndRestoresTheConfigAtOnce(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    JsonObject before = plane.config.copy();
    java.nio.file.Path pid = dir.resolve("pid");
    stoppedWhileAPostHookWaits("""
        name: hanging-hook
        steps:
          - name: a
            scenario: slow_backend
            duration_seconds: 30
            post_hooks:
              - name: slow
                actions: [{type: command, command: sh, args: ["-c", "echo $$ > %s.tmp; mv %s.tmp %s; exec sleep 20"], timeout_seconds: 60}]
        """.formatted(pid, pid, pid), new Permissions(true, Set.of()), 30_000, () -> awaitFile(pid, "the hook's command starts"));
    long process = Long.parseLong(java.nio.file.Files.readString(pid).trim());
    assertThat(plane.config).as("restored").isEqualTo(before);
    assertThat(ProcessHandle.of(process).map(ProcessHandle::isAlive).orElse(false)).as("the command is gone").isFalse();
  }

  /**
   * A stop ends the http_request a hook waits for, as it ends a command, and the run's clean-up runs: left to its own
   * timeout, a call longer than the stop's 5 s grace had the watchdog end the run, its post_orchestration hooks unrun.
   */
  @Test
  void aStopEndsTheHttpRequestAHookWaitsForAndTheCleanUpRuns() throws Exception {
    java.util.concurrent.CompletableFuture<Void> asked = new java.util.concurrent.CompletableFuture<>();
    java.util.concurrent.CompletableFuture<Void> cut = new java.util.concurrent.CompletableFuture<>();
    io.vertx.core.http.HttpServer server = plane.vertx.createHttpServer().requestHandler(request -> {
      asked.complete(null); // and never answers
      request.connection().closeHandler(v -> cut.complete(null));
    }).listen(Upstreams.portToListenOn(), "127.0.0.1").await();
    try {
      String origin = "http://127.0.0.1:" + server.actualPort();
      stoppedWhileAPostHookWaits("""
          name: hanging-webhook
          hooks:
            - name: cleanup
              hook_type: post_orchestration
              actions: [{type: log, message: cleaned up}]
          steps:
            - name: a
              scenario: slow_backend
              duration_seconds: 1
              post_hooks:
                - name: slow
                  actions: [{type: http_request, url: "%s/hook", timeout_ms: 30000}]
          """.formatted(origin), new Permissions(false, Set.of(origin)), 1_000, () -> asked.get(5, TimeUnit.SECONDS));
      assertThat(plane.hooks).contains("post_orchestration:cleanup=succeeded");
      assertThat(plane.config.getString("scenario")).as("restored").isNull();
      cut.get(5, TimeUnit.SECONDS); // the call is reset, not left to the webhook
    } finally {
      server.close().await();
    }
  }

  /**
   * A command runs on workers of its own: with every one of Vert.x's shared workers held (they also read documents,
   * schedules and the cluster's maps; twenty long commands held them all), the next command still runs. The hook's
   * webhook holds them, then the command after it touches a file.
   */
  @Test
  void aCommandRunsWhileVertxsSharedWorkersAreAllBusy() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.nio.file.Path touched = java.nio.file.Files.createTempDirectory("command").resolve("ran");
    io.vertx.core.http.HttpServer server = plane.vertx.createHttpServer().requestHandler(request -> {
      for (int i = 0; i < 20; i++) { // Vert.x's default worker pool
        plane.vertx.executeBlocking(() -> release.await(30, TimeUnit.SECONDS), false);
      }
      request.response().end();
    }).listen(Upstreams.portToListenOn(), "127.0.0.1").await();
    try {
      String origin = "http://127.0.0.1:" + server.actualPort();
      io.vertx.core.Future<RunReport> run = plane.start("""
          name: busy-workers
          hooks:
            - hook_type: pre_orchestration
              required: true
              actions:
                - {type: http_request, url: "%s/hold"}
                - {type: command, command: touch, args: ["%s"], timeout_seconds: 10}
          steps:
            - {name: a, scenario: slow_backend, duration_seconds: 0.1}
          """.formatted(origin, touched), new Permissions(true, Set.of(origin)), VirtualClock.automatic());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!java.nio.file.Files.exists(touched) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(touched).as("the command ran while the shared workers were all held").exists();
      release.countDown();
      assertThat(run.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS).errors()).isEmpty();
    } finally {
      release.countDown();
      server.close().await();
    }
  }

  /**
   * An http_request body written as an object goes as its JSON (it went as Java's {text=hello, n=[1, 2]}, labelled JSON),
   * and a URL with spaces around it (a YAML block keeps its newline) is called as validation read it: trimmed (every run
   * of it failed "not a URL").
   */
  @Test
  void anHttpRequestsBodyGivenAsAnObjectIsSentAsJson() throws Exception {
    java.util.concurrent.CompletableFuture<String> received = new java.util.concurrent.CompletableFuture<>();
    io.vertx.core.http.HttpServer server = plane.vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      received.complete(request.getHeader("content-type") + " " + body);
      request.response().end();
    })).listen(Upstreams.portToListenOn(), "127.0.0.1").await();
    try {
      String origin = "http://127.0.0.1:" + server.actualPort();
      RunReport report = plane.run("""
          name: webhook
          hooks:
            - hook_type: pre_orchestration
              required: true
              actions: [{type: http_request, url: " %s/hook\\n", method: POST, body: {text: hello, n: [1, 2]}, expected_status: 200}]
          steps:
            - {name: a, scenario: slow_backend, duration_seconds: 0.1}
          """.formatted(origin), new Permissions(false, Set.of(origin)));
      assertThat(report.errors()).isEmpty();
      assertThat(received.get(5, TimeUnit.SECONDS)).isEqualTo("application/json {\"text\":\"hello\",\"n\":[1,2]}");
    } finally {
      server.close().await();
    }
  }

  /**
   * An http_request's timeout_ms bounds the whole call: a server that trickles its answer's head, a line every 100 ms,
   * fails the hook at the timeout, saying so, and the run goes on. Vert.x's own timeout bounded the connecting and the
   * answer each (up to twice timeout_ms in all, past the run's watchdog for a long one), and its message named neither
   * the URL nor the bound the hook set.
   */
  @Test
  void anHttpRequestThatTricklesItsAnswerFailsItsHookAtTheTimeout() throws Exception {
    io.vertx.core.net.NetServer server = plane.vertx.createNetServer().connectHandler(socket -> {
      socket.write("HTTP/1.1 200 OK\r\n");
      long trickle = plane.vertx.setPeriodic(100, id -> socket.write("X-Slow: yes\r\n"));
      socket.closeHandler(v -> plane.vertx.cancelTimer(trickle));
    }).listen(Upstreams.portToListenOn(), "127.0.0.1").await();
    try {
      String origin = "http://127.0.0.1:" + server.actualPort();
      RunReport report = plane.start("""
          name: trickled
          hooks:
            - name: notify
              hook_type: pre_orchestration
              actions: [{type: http_request, url: "%s/hook", timeout_ms: 500}]
          steps:
            - {name: a, scenario: slow_backend, duration_seconds: 0.1}
          """.formatted(origin), new Permissions(false, Set.of(origin)), io.faultline.orchestration.run.RunClock.system(plane.vertx))
          .toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
      assertThat(report.status()).isEqualTo("succeeded");
      assertThat(report.errors()).containsExactly("hook notify failed: http_request " + origin + "/hook did not answer within 500 ms");
    } finally {
      server.close().await();
    }
  }

  /**
   * Starts {@code text}, whose step of {@code stepMs} has a post hook that waits, on a clock that moves only when told;
   * once {@code hookWaits} says the hook waits, stops the run and checks that the stop alone ended it, the hook's wait
   * included: no time passes on the run's clock, and the watchdog has nothing to end.
   */
  private void stoppedWhileAPostHookWaits(String text, Permissions permissions, long stepMs, ThrowingRunnable hookWaits)
      throws Exception {
    VirtualClock clock = VirtualClock.manual();
    var ended = plane.start(text, permissions, clock);
    clock.awaitWaiting();
    clock.advance(stepMs); // the step's time: then its post hook starts
    hookWaits.run();
    plane.onLoop(() -> plane.run.stop("stopped"));
    RunReport report = ended.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(report.status()).isEqualTo("stopped");
    assertThat(report.errors()).noneMatch(e -> e.startsWith("watchdog"));
  }

  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  /** Waits up to 10 s for {@code file}, which a hook's command writes as it starts ({@code what}). */
  private static void awaitFile(java.nio.file.Path file, String what) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (!java.nio.file.Files.exists(file)) {
      assertThat(System.currentTimeMillis()).as(what).isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  /** Starts a run whose post_orchestration hook runs {@code script} with sh, and stops it in its 30 s step; answers its end. */
  private io.vertx.core.Future<RunReport> stoppedWithCleanUp(String script, int timeoutSeconds) throws Exception {
    VirtualClock clock = VirtualClock.manual();
    var ended = plane.start("""
        name: cleaned-up
        hooks:
          - name: cleanup
            hook_type: post_orchestration
            actions: [{type: command, command: sh, args: ["-c", %s], timeout_seconds: %d}]
        steps:
          - {name: long, scenario: slow_backend, duration_seconds: 30}
        """.formatted(io.vertx.core.json.Json.encode(script), timeoutSeconds), new Permissions(true, Set.of()), clock);
    clock.awaitWaiting();
    plane.onLoop(() -> plane.run.stop("stopped"));
    return ended;
  }

  /**
   * The post_orchestration hooks are the run's clean-up: after a stop they run to their end (a stop had already been
   * marked, so their commands were ended at once, "the run stopped", and the clean-up never happened).
   */
  @Test
  void aStoppedRunsCleanUpCommandsRunToTheirEnd(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path done = dir.resolve("cleaned");
    var ended = stoppedWithCleanUp("sleep 0.3; echo done > " + done, 10);
    RunReport report = ended.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(report.status()).isEqualTo("stopped");
    assertThat(report.errors()).as("the clean-up was not ended").isEmpty();
    assertThat(java.nio.file.Files.readString(done).trim()).isEqualTo("done");
    assertThat(plane.hooks).containsExactly("post_orchestration:cleanup=succeeded");
    assertThat(plane.config.getString("scenario")).as("restored").isNull();
  }

  /**
   * A stop that comes while the clean-up of a run that ended well runs changes nothing: the clean-up runs to its end and
   * the run is what its steps made it. It became "stopped", and the watchdog's 5 s for a stop put the config back while
   * the clean-up's command still ran.
   */
  @Test
  void aStopDuringTheCleanUpOfARunThatEndedWellChangesNothing(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path done = dir.resolve("cleaned");
    var ended = inCleanUpOfAGoodRun(dir, "sleep 1; echo done > " + done, false);
    plane.onLoop(() -> plane.run.stop("stopped"));
    assertThat(java.nio.file.Files.exists(done)).as("the stop came while the clean-up ran").isFalse();
    RunReport report = ended.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(report.status()).isEqualTo("succeeded");
    assertThat(report.errors()).isEmpty();
    assertThat(java.nio.file.Files.readString(done).trim()).isEqualTo("done");
    assertThat(plane.hooks).containsExactly("post_orchestration:cleanup=succeeded");
  }

  /** The run whose clean-up starts {@code script} (sh) after its one 1 s step has ended well; answers its end once the script has begun. */
  private io.vertx.core.Future<RunReport> inCleanUpOfAGoodRun(java.nio.file.Path dir, String script, boolean required) throws Exception {
    java.nio.file.Path started = dir.resolve("started");
    VirtualClock clock = VirtualClock.manual();
    var ended = plane.start("""
        name: cleaned-up
        hooks:
          - name: cleanup
            hook_type: post_orchestration
            required: %s
            actions: [{type: command, command: sh, args: ["-c", %s], timeout_seconds: 60}]
        steps:
          - {name: short, scenario: slow_backend, duration_seconds: 1}
        """.formatted(required, io.vertx.core.json.Json.encode("touch " + started + "; " + script)), new Permissions(true, Set.of()), clock);
    clock.awaitWaiting();
    clock.advance(1_000);
    awaitFile(started, "the clean-up's command starts");
    return ended;
  }

  /**
   * A node that stops during the clean-up of a run that ended well ends that clean-up (its command too) and says so: the
   * command ran on past the config's restore, and the run ended "failed" by the watchdog; a required hook's command
   * the shutdown ends is no failed hook.
   */
  @Test
  void aStoppingNodeEndsTheCleanUpOfARunThatEndedWell(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path done = dir.resolve("cleaned");
    var ended = inCleanUpOfAGoodRun(dir, "sleep 20; echo done > " + done, true);
    plane.onLoop(() -> plane.run.stopForShutdown());
    RunReport report = ended.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(report.status()).isEqualTo("stopped");
    assertThat(report.errors()).contains("the node stopped during the run's clean-up")
        .doesNotContain("a required post_orchestration hook failed");
    Thread.sleep(200);
    assertThat(java.nio.file.Files.exists(done)).isFalse();
  }

  /**
   * The kill switch during the clean-up of a stopped run leaves chaos off: the run's end put the config from before the
   * run back, so chaos on before it came back on over the kill switch.
   */
  @Test
  void theKillSwitchDuringTheCleanUpOfAStoppedRunLeavesChaosOff(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path pid = dir.resolve("pid");
    var ended = stoppedWithCleanUp("echo $$ > %s.tmp; mv %s.tmp %s; sleep 1".formatted(pid, pid, pid), 10);
    awaitFile(pid, "the clean-up's command starts");
    plane.vertx.eventBus().publish(Addresses.CHAOS_CHANGED, new JsonObject().put("enabled", false).put("change", new JsonObject()
        .put("source", "rest").put("diff", new io.vertx.core.json.JsonArray().add(new JsonObject().put("path", "enabled")
            .put("from", true).put("to", false)))));
    RunReport report = ended.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(report.status()).isEqualTo("stopped");
    assertThat(report.errors()).anyMatch(e -> e.startsWith("chaos was switched off (rest) during the run's clean-up"));
    assertThat(plane.sent).extracting(ControlPlane.Sent::address).as("no restore")
        .doesNotContain(io.faultline.chaos.control.InternalAddresses.CHAOS_RESTORE);
  }

  /** A node that stops ends the clean-up too: a stop let it run on, and the node's stop waited out its command. */
  @Test
  void aStoppingNodeEndsTheCleanUpAStopLetRun(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path pid = dir.resolve("pid");
    var ended = stoppedWithCleanUp("echo $$ > %s.tmp; mv %s.tmp %s; exec sleep 20".formatted(pid, pid, pid), 60);
    awaitFile(pid, "the clean-up's command starts");
    long process = Long.parseLong(java.nio.file.Files.readString(pid).trim());
    plane.onLoop(() -> plane.run.stopForShutdown());
    RunReport report = ended.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(report.status()).isEqualTo("stopped");
    assertThat(ProcessHandle.of(process).map(ProcessHandle::isAlive).orElse(false)).as("the command is gone").isFalse();
  }

  /**
   * A required post_orchestration hook that fails fails the run, as a required pre_orchestration one does: the run
   * ended "succeeded" (and `orchestrate start --follow` with exit 0) with the failure only among its errors.
   */
  @Test
  void aRequiredPostOrchestrationHookThatFailsFailsTheRun() throws Exception {
    RunReport report = plane.run("""
        name: verified-recovery
        hooks:
          - name: verify-recovered
            hook_type: post_orchestration
            required: true
            actions: [{type: command, command: "false"}]
        steps:
          - {name: a, scenario: slow_backend, duration_seconds: 0}
        """, new Permissions(true, Set.of()));
    assertThat(report.status()).isEqualTo("failed");
    assertThat(steps(report)).containsExactly("a=succeeded");
    assertThat(report.errors()).contains("hook verify-recovered failed: command [false] exited with 1",
        "a required post_orchestration hook failed");
  }

  /**
   * A stop while a required pre_orchestration hook runs (a warm-up command) is a stop: the run ended "failed", as if the
   * precondition had failed, where the pre_step case already said "stopped".
   */
  @Test
  void aStopWhileARequiredPreOrchestrationHookRunsIsAStop(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path pid = dir.resolve("pid");
    var ended = plane.start("""
        name: stopped-in-warm-up
        hooks:
          - name: warm-up
            hook_type: pre_orchestration
            required: true
            actions: [{type: command, command: sh, args: ["-c", "echo $$ > %s.tmp; mv %s.tmp %s; exec sleep 20"], timeout_seconds: 60}]
        steps:
          - {name: never, scenario: slow_backend, duration_seconds: 30}
        """.formatted(pid, pid, pid), new Permissions(true, Set.of()), VirtualClock.manual());
    awaitFile(pid, "the hook's command starts");
    plane.onLoop(() -> plane.run.stop("stopped"));
    RunReport report = ended.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(report.status()).isEqualTo("stopped");
    assertThat(report.steps()).isEmpty();
    assertThat(report.errors()).doesNotContain("a required pre_orchestration hook failed: the steps did not run");
  }

  /**
   * A stop while a step's pre_step hook runs cuts the step short before it began: nothing is applied after
   * the stop has put the config back (a hook not required went on to apply the step's chaos, left on after
   * the run), and a required one, whose command the stop ends, is no failed precondition.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
  void aStopWhileAPreStepHookRunsAppliesNothingAndIsNoFailure(boolean required, @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    JsonObject before = plane.config.copy();
    java.nio.file.Path pid = dir.resolve("pid");
    var ended = plane.start("""
        name: stopped-in-hook
        advanced_steps:
          - name: a
            base: {scenario: slow_backend, duration_seconds: 30}
            pre_hooks:
              - name: slow
                hook_type: pre_step
                required: %s
                actions: [{type: command, command: sh, args: ["-c", "echo $$ > %s.tmp; mv %s.tmp %s; exec sleep 20"], timeout_seconds: 60}]
        """.formatted(required, pid, pid, pid), new Permissions(true, Set.of()), VirtualClock.manual());
    awaitFile(pid, "the hook's command starts");
    plane.onLoop(() -> plane.run.stop("stopped"));
    RunReport report = ended.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(report.status()).isEqualTo("stopped");
    assertThat(steps(report)).containsExactly("a=stopped");
    assertThat(report.steps().get(0).error()).isEqualTo("cut short by a stop before it began");
    Thread.sleep(200); // an apply sent after the restore would come now
    assertThat(plane.sent).extracting(ControlPlane.Sent::address).as("nothing applied")
        .containsExactly(io.faultline.chaos.control.InternalAddresses.CHAOS_RESTORE);
    assertThat(plane.config).as("restored").isEqualTo(before);
  }

  @Test
  void aWaitThatOverrunsItsBoundIsEndedByTheWatchdog() throws Exception {
    JsonObject before = plane.config.copy();
    plane.answerWindows(false); // the node does not say what its traffic saw
    VirtualClock clock = VirtualClock.manual();
    var ended = plane.start("""
        name: silent-metrics
        steps:
          - {name: a, scenario: slow_backend, duration_seconds: 1}
        """, Permissions.NONE, clock);
    clock.awaitWaiting();
    clock.advance(1_000);
    clock.advance(ControlBus.TIMEOUT_MS + Watchdog.GRACE_MS + Watchdog.CHECK_EVERY_MS);
    plane.answerWindows(true);
    RunReport report = ended.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(report.status()).isEqualTo("failed");
    assertThat(report.errors()).contains("watchdog: the traffic metrics was not over 5 s after its time");
    assertThat(plane.config).as("restored").isEqualTo(before);
  }

  /**
   * A parallel run's post_step hooks follow each step, as a sequential run's do: a required one that fails fails
   * its step (they ran once, after every step had been recorded as passed, and the run succeeded).
   */
  @Test
  void aParallelStepsRequiredPostStepHookThatFailsFailsThatStep() throws Exception {
    RunReport report = plane.run("""
        name: together
        parallel: true
        advanced_steps:
          - name: checked
            base: {scenario: slow_backend, duration_seconds: 2}
            post_hooks:
              - {name: must-pass, hook_type: post_step, required: true, actions: [{type: command, command: "false"}]}
          - {name: plain, base: {scenario: slow_backend, duration_seconds: 2}}
        """, new Permissions(true, Set.of()));
    assertThat(report.status()).isEqualTo("failed");
    assertThat(steps(report)).containsExactly("checked=failed", "plain=succeeded");
    assertThat(report.steps().get(0).error()).isEqualTo("a required post_step hook failed");
  }

  /**
   * A parallel step that held its whole duration before a stop came (while a longer one went on) ran its course: it is
   * checked and counted as such. It was reported {@code stopped} ("cut short ... before its post_step hooks ran"), though it
   * had none, failing in JUnit and left out of {@code steps_done}.
   */
  @Test
  void aParallelStepThatRanItsCourseBeforeAStopIsNotReportedStopped() throws Exception {
    VirtualClock clock = VirtualClock.manual();
    var ended = plane.start("""
        name: together
        parallel: true
        steps:
          - {name: short, scenario: {config: {latency: {fixed_delay_ms: 5}}}, duration_seconds: 2}
          - {name: long, scenario: {config: {fault_injection: {http_errors: [503], http_error_probability: 0.1}}}, duration_seconds: 10}
        """, Permissions.NONE, clock);
    plane.awaitProgress(p -> "short + long".equals(p.getString("current_step")));
    clock.awaitWaiting();
    clock.advance(2_000);
    clock.awaitWaiting();
    clock.advance(3_000);
    plane.onLoop(() -> plane.run.stop("stopped"));
    RunReport report = ended.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(report.status()).isEqualTo("stopped");
    assertThat(steps(report)).containsExactly("short=succeeded", "long=stopped");
    assertThat(report.steps().get(0).error()).isNull();
    assertThat(plane.run.status().getInteger("steps_done")).isEqualTo(1);
  }

  /**
   * A parallel step's window starts once its chaos is in force, as a sequential step's does: it started before the
   * pre_step hooks, and measured the traffic they waited through (before the chaos) as the step's.
   */
  @Test
  void aParallelStepIsMeasuredFromWhenItsChaosApplies() throws Exception {
    VirtualClock clock = VirtualClock.manual();
    var ended = plane.start("""
        name: hooked
        parallel: true
        advanced_steps:
          - name: a
            base: {scenario: slow_backend, duration_seconds: 2}
            pre_hooks:
              - {name: slow, hook_type: pre_step, actions: [{type: command, command: sleep, args: ["1"]}]}
          - {name: b, base: {scenario: slow_backend, duration_seconds: 1}}
        """, new Permissions(true, Set.of()), clock);
    plane.awaitProgress(p -> "a + b".equals(p.getString("current_step")));
    long started = clock.millis();
    clock.advance(3_000); // while the hook's command runs: before the chaos applies
    clock.awaitWaiting(); // the steps hold
    assertThat(plane.sent).extracting(ControlPlane.Sent::address).contains(Addresses.CHAOS_SET);
    clock.advance(1_000); // b's second: then a's chaos alone, applied, and its last second waited
    clock.awaitWaiting();
    clock.advance(1_000);
    RunReport report = ended.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(steps(report)).containsExactly("a=succeeded", "b=succeeded");
    assertThat(report.steps()).allSatisfy(step -> assertThat(step.startedAt()).as("from the apply").isEqualTo(started + 3_000));
    assertThat(report.steps().get(0).durationMs()).isEqualTo(2_000);
    assertThat(report.steps().get(1).durationMs()).isEqualTo(1_000);
  }

  /**
   * 004's notify_on_failure (a post_step hook on {@code previous_step_failed}) fires right after the step that
   * failed: it fired after the step that followed it, and never for a failure that ended the run.
   */
  @Test
  void aPostStepHookOnPreviousStepFailedFollowsTheStepThatFailed() throws Exception {
    RunReport report = plane.run("""
        name: notifying
        hooks:
          - name: notify_on_failure
            hook_type: post_step
            condition: {type: previous_step_failed}
            actions: [{type: log, message: "failed: ${variables.which}, ${variables.last_step_status}"}]
        advanced_steps:
          - name: one
            base: {scenario: slow_backend, duration_seconds: 1, continue_on_failure: true}
            variables: {which: one}
            assertions: [{type: metric_in_range, metric: error_rate, min: 0.5, max: 1}]
          - name: two
            base: {scenario: slow_backend, duration_seconds: 1}
            variables: {which: two}
          - name: three
            base: {scenario: slow_backend, duration_seconds: 1}
            variables: {which: three}
            assertions: [{type: metric_in_range, metric: error_rate, min: 0.5, max: 1}]
        """);
    assertThat(steps(report)).containsExactly("one=failed", "two=succeeded", "three=failed");
    assertThat(report.log()).filteredOn(line -> line.contains("failed: ")).hasSize(2)
        .anySatisfy(line -> assertThat(line).endsWith("failed: one, failed")).anySatisfy(line -> assertThat(line).endsWith("failed: three, failed"));
  }

  /** The guard reads the run's own traffic: errors from before the run started aborted a healthy one. */
  @Test
  void theAbortGuardLooksNoFurtherBackThanTheRunsStart() throws Exception {
    long start = VirtualClock.automatic().millis(); // every virtual clock starts there, and the run with it
    plane.window = (from, to) -> new JsonObject().put("request_count", 20).put("error_rate", from < start ? 0.9 : 0.0);
    RunReport report = plane.run("""
        name: guarded
        abort_when: {condition: {type: greater_than, variable: error_rate, value: 0.5}, for_seconds: 0, window_seconds: 30}
        steps:
          - {name: calm, scenario: {config: {enabled: false}}, duration_seconds: 5}
        """);
    assertThat(report.startedAt()).isEqualTo(start);
    assertThat(report.status()).as(String.valueOf(report.errors())).isEqualTo("succeeded");
  }

  /** A failed variable_equals says the figure it compared: a metric of the window, before the variable of that name. */
  @Test
  void aGlobalVariableEqualsSaysTheFigureItCompared() throws Exception {
    long start = VirtualClock.automatic().millis();
    plane.window = (from, to) -> new JsonObject().put("request_count", 20).put("error_count", from == start ? 14 : 0);
    RunReport report = plane.run("""
        name: counted
        steps:
          - {name: calm, scenario: slow_backend, duration_seconds: 1, delay_before_seconds: 1}
        assertions:
          - {type: variable_equals, variable: error_count, expected: 0}
        """);
    assertThat(report.status()).isEqualTo("failed");
    assertThat(report.assertions()).singleElement().satisfies(a -> assertThat(a.message()).isEqualTo("error_count = 14, expected 0"));
  }

  /**
   * A set_variable whose value is one placeholder copies that value with its type, as a step's field takes one: copied as
   * text ("250"), the number field it then filled refused it mid-run ("must be a whole number, got "250" in quotes").
   */
  @Test
  void aSetVariableCopiesAValueWithItsType() throws Exception {
    RunReport report = plane.run("""
        name: copied
        variables: {delay: 250, slow: 0}
        hooks:
          - hook_type: pre_orchestration
            actions: [{type: set_variable, name: slow, value: "${variables.delay}"}]
        steps:
          - {name: s1, scenario: {config: {latency: {fixed_delay_ms: "${variables.slow}"}}}, duration_seconds: 1}
        """);
    assertThat(steps(report)).containsExactly("s1=succeeded");
    assertThat(report.variables().getValue("slow")).isEqualTo(250);
    assertThat(plane.sent).filteredOn(sent -> sent.address().equals(Addresses.CHAOS_SET)).singleElement()
        .satisfies(sent -> assertThat(sent.body().getJsonObject("latency").getInteger("fixed_delay_ms")).isEqualTo(250));
  }

  /**
   * A hook's condition reads the variables as they are when the hook runs: what an earlier hook's set_variable gave is
   * seen. Filled as the file was read, the conditions compared the file's values (staging, 10), and the hooks never ran.
   */
  @Test
  void aHooksConditionReadsTheVariablesAsTheHookRuns() throws Exception {
    RunReport report = plane.run("""
        name: hooked
        variables: {expected: staging, environment: prod, limit: 10, count: 3}
        hooks:
          - hook_type: pre_orchestration
            actions: [{type: set_variable, name: expected, value: prod}, {type: set_variable, name: limit, value: 1}]
          - hook_type: post_step
            condition: {type: equals, variable: environment, value: "${variables.expected}"}
            actions: [{type: set_variable, name: matched, value: "yes"}]
          - hook_type: post_step
            condition: {type: greater_than, variable: count, value: "${variables.limit}"}
            actions: [{type: set_variable, name: over, value: "yes"}]
        steps:
          - {name: s1, scenario: slow_backend, duration_seconds: 0}
        """);
    assertThat(steps(report)).containsExactly("s1=succeeded");
    assertThat(report.variables().getString("matched")).as("equals, on the value set since").isEqualTo("yes");
    assertThat(report.variables().getString("over")).as("greater_than, on the number set since").isEqualTo("yes");
  }

  /** A set_variable made while a step runs outlives the step's own variables: the step's end put back what they covered. */
  @Test
  void aSetVariableDuringAStepOutlivesItsOwnVariables() throws Exception {
    RunReport report = plane.run("""
        name: outlives
        variables: {status: pending}
        advanced_steps:
          - name: work
            base: {scenario: slow_backend, duration_seconds: 1}
            variables: {status: running}
            post_hooks: [{actions: [{type: set_variable, name: status, value: done}]}]
        assertions:
          - {type: variable_equals, variable: status, expected: done}
        """);
    assertThat(report.status()).as(report.assertions().toString()).isEqualTo("succeeded");
    assertThat(report.variables().getValue("status")).isEqualTo("done");
  }

  /** 004's variable scopes are global and step-level: a step's own variables are not the next step's. */
  @Test
  void aStepsOwnVariablesEndWithIt() throws Exception {
    RunReport report = plane.run("""
        name: scoped
        variables: {delay: 100}
        steps:
          - {name: "a ${variables.delay}", scenario: slow_backend, duration_seconds: 1, variables: {delay: 500, only_a: 1}}
          - {name: "b ${variables.delay}", scenario: slow_backend, duration_seconds: 1}
        """);
    assertThat(steps(report)).containsExactly("a 500=succeeded", "b 100=succeeded");
    assertThat(report.variables().getValue("delay")).isEqualTo(100);
    assertThat(report.variables().containsKey("only_a")).isFalse();
  }
}
