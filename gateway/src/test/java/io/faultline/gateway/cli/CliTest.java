package io.faultline.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.testing.Timing;
import io.faultline.chaos.testing.Upstreams;
import io.faultline.gateway.Gateway;
import io.faultline.gateway.Main;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line as a user types it, run in-process against real gateways on loopback. */
class CliTest {

  @org.junit.jupiter.api.io.TempDir
  java.nio.file.Path state;

  private final Vertx vertx = Vertx.vertx();
  private final WebClient client = WebClient.create(vertx);
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private Gateway started;

  @AfterEach
  void tearDown() {
    ServeCommand.environment = System::getenv;
    if (started != null) {
      started.close().await();
    }
    vertx.close().await();
  }

  private int run(String... args) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  private Gateway serve(String... flags) {
    // a state directory of its own: serve's default is the user's (~/.local/state/faultline)
    List<String> args = new ArrayList<>(List.of("serve", "--http-port", "0", "--admin-port", "0", "--state-dir", state.toString()));
    args.addAll(List.of(flags));
    assertThat(run(args.toArray(String[]::new))).as(err.toString()).isZero();
    started = ServeCommand.running();
    return started;
  }

  private HttpResponse<Buffer> traffic(Gateway gateway, String path) {
    return client.get(gateway.listenerPort("web"), "127.0.0.1", path).send().await();
  }

  /** picocli formats descriptions with String.format: a bare % (say "95% interval") prints a warning over the help. */
  @Test
  void everyCommandsHelpPrintsWithoutAWarning() {
    java.io.PrintStream stderr = System.err;
    java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
    List<String> helped = new ArrayList<>();
    System.setErr(new java.io.PrintStream(warnings, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      java.util.ArrayDeque<CommandLine> commands = new java.util.ArrayDeque<>(List.of(Main.commandLine()));
      while (!commands.isEmpty()) {
        CommandLine command = commands.pop();
        assertThat(command.getUsageMessage()).isNotBlank();
        helped.add(command.getCommandSpec().qualifiedName());
        commands.addAll(command.getSubcommands().values());
      }
    } finally {
      System.setErr(stderr);
    }
    assertThat(helped).contains("faultline history trends", "faultline serve");
    assertThat(warnings.toString(java.nio.charset.StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void serveWithNoUpstreamAnswersFromTheMockUpstream() {
    Gateway gateway = serve();
    HttpResponse<Buffer> response = traffic(gateway, "/api/test");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.bodyAsJsonObject().getString("status")).isEqualTo("ok");
  }

  /** The mock takes the heads the listener takes (32 KiB of headers): it answered a bare 431 past Vert.x's 8 KiB. */
  @Test
  void theMockUpstreamTakesWhatTheListenerTakes() {
    Gateway gateway = serve();
    var request = client.get(gateway.listenerPort("web"), "127.0.0.1", "/api/test");
    for (int i = 0; i < 100; i++) {
      request.putHeader("x-h" + i, "v".repeat(78));
    }
    assertThat(request.send().await().statusCode()).isEqualTo(200);
  }

  /** The mock's /api/bytes/N: N bytes with their Content-Length, streamed (64 MiB at most), and a HEAD with the length only. */
  @Test
  void theMockUpstreamStreamsBytesOfTheLengthAsked() {
    Gateway gateway = serve();
    HttpResponse<Buffer> small = traffic(gateway, "/api/bytes/70000");
    assertThat(small.getHeader("Content-Length")).isEqualTo("70000");
    assertThat(small.body().length()).isEqualTo(70_000);
    assertThat(small.bodyAsString().chars().allMatch(c -> c == 'x')).isTrue();
    HttpResponse<Buffer> large = traffic(gateway, "/api/bytes/" + 40 * 1024 * 1024);
    assertThat(large.body().length()).isEqualTo(40 * 1024 * 1024);
    assertThat(traffic(gateway, "/api/bytes/0").body()).satisfiesAnyOf(b -> assertThat(b).isNull(), b -> assertThat(b.length()).isZero());
    HttpResponse<Buffer> head = io.vertx.ext.web.client.WebClient.create(vertx)
        .head(gateway.listenerPort("web"), "127.0.0.1", "/api/bytes/5000").send().await();
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.getHeader("Content-Length")).isEqualTo("5000");
    // past an int it is capped too (it overflowed and answered nothing); only final statuses are answered (a 100
    // left the client waiting until the route timeout, a 101 switched protocols unasked)
    assertThat(io.vertx.ext.web.client.WebClient.create(vertx).head(gateway.listenerPort("web"), "127.0.0.1", "/api/bytes/3000000000")
        .send().await().getHeader("Content-Length")).isEqualTo(Integer.toString(64 * 1024 * 1024));
    assertThat(traffic(gateway, "/api/status/503").statusCode()).isEqualTo(503);
    for (String status : List.of("100", "101", "600", "99999999999999999999", "abc", "")) {
      assertThat(traffic(gateway, "/api/status/" + status).statusCode()).as(status).isEqualTo(400);
    }
  }

  @Test
  void chaosLatencyFlagAddsTheDelay() {
    Gateway gateway = serve("--chaos", "--chaos-latency-ms", "300");
    traffic(gateway, "/api/test");
    var timed = Timing.time(() -> traffic(gateway, "/api/test"));
    assertThat(timed.value().statusCode()).isEqualTo(200);
    Timing.assertElapsedBetween(timed.elapsedMs(), 295, 1_500);
  }

  /**
   * The switches take a value after a space as the README writes them ({@code --chaos false} beside a fault's flag keeps
   * chaos off): picocli took "false" for a stray argument and serve refused to start.
   */
  @Test
  void aSwitchTakesItsValueAfterASpace() {
    Gateway gateway = serve("--chaos", "false", "--chaos-latency-ms", "300", "--metrics", "false", "--tracing", "false");
    assertThat(gateway.state().snapshot().enabled()).isFalse();
    assertThat(gateway.state().config().latency().fixedDelayMs()).as("the flag's section, kept for when chaos goes on").isEqualTo(300L);
    assertThat(traffic(gateway, "/api/test").statusCode()).isEqualTo(200);
  }

  @Test
  void chaosHttpErrorFlagsAnswer503() {
    Gateway gateway = serve("--chaos", "--chaos-http-errors", "503", "--chaos-http-error-probability", "1.0");
    assertThat(traffic(gateway, "/api/test").statusCode()).isEqualTo(503);
  }

  @Test
  void rateLimitFlagGives429sUnderABurstAndUpstreamFlagIsUsed() {
    Upstreams.Echo echo = Upstreams.echoHttp(vertx);
    Gateway gateway = serve("--chaos-rate-limit", "5", "--upstream", echo.url());
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      statuses.add(traffic(gateway, "/x").statusCode());
    }
    assertThat(statuses).contains(200, 429);
    assertThat(echo.hits().get()).isBetween(5, 12);
  }

  @Test
  void environmentSitsBetweenFileAndFlags() {
    ServeCommand.environment = () -> Map.of("FAULTLINE_CHAOS_HTTP_ERRORS", "502", "FAULTLINE_CHAOS_HTTP_ERROR_PROBABILITY", "1",
        "FAULTLINE_CHAOS", "true");
    Gateway env = serve();
    assertThat(traffic(env, "/x").statusCode()).isEqualTo(502);
    env.close().await();
    started = null;
    Gateway flagWins = serve("--chaos-http-errors", "504");
    assertThat(traffic(flagWins, "/x").statusCode()).isEqualTo(504);
  }

  /**
   * Reference 001's "Chaos + Tracing" lines, as written there: Jaeger's legacy Thrift URL is taken, with a
   * warning that spans go to the same Jaeger's OTLP receiver and what to write instead.
   */
  @Test
  void theReferenceTracingLineRunsAndSaysWhereSpansGo() throws Exception {
    String line = java.nio.file.Files.readString(java.nio.file.Path.of(CliTest.class.getResource("/reference/001-chaos-tracing.sh").toURI()));
    List<String> words = new ArrayList<>(List.of(line.replace("\\\n", " ").trim().split("\\s+")));
    assertThat(words.subList(0, 2)).containsExactly("mockforge", "serve");
    try (io.faultline.gateway.LogCapture log = io.faultline.gateway.LogCapture.of("io.faultline.gateway.tracing.Tracing")) {
      Gateway gateway = serve(words.subList(2, words.size()).toArray(String[]::new));
      assertThat(gateway.state().scenario()).isEqualTo("network_degradation");
      assertThat(log.warnings()).singleElement().asString()
          .contains("http://localhost:14268/api/traces", "Thrift", "exporting to http://localhost:4318/v1/traces");
    }
  }

  /**
   * Reference 001's full serve line, as written there (copied unchanged into test resources): a fixed delay
   * and a range from the same source mean the range, as in 001's own engine.
   */
  @Test
  void theReferenceServeLineRunsAndTheLatencyRangeWins() throws Exception {
    String line = java.nio.file.Files.readString(java.nio.file.Path.of(CliTest.class.getResource("/reference/001-cli-integration.sh").toURI()));
    List<String> words = new ArrayList<>(List.of(line.replace("\\\n", " ").replace("\"", "").trim().split("\\s+")));
    assertThat(words.subList(0, 2)).containsExactly("mockforge", "serve");
    Gateway gateway = serve(words.subList(2, words.size()).toArray(String[]::new));
    var config = gateway.state().snapshot().config();
    assertThat(gateway.state().scenario()).isEqualTo("network_degradation");
    assertThat(config.latency().randomDelayRangeMs()).containsExactly(100L, 500L);
    assertThat(config.latency().fixedDelayMs()).isZero();
    assertThat(config.latency().probability()).isEqualTo(0.8);
    assertThat(config.faultInjection().httpErrors()).containsExactly(500, 502, 503);
    assertThat(config.rateLimit().requestsPerSecond()).isEqualTo(100.0);
    assertThat(config.trafficShaping().packetLossPercent()).isEqualTo(5.0);
  }

  @Test
  void invalidFlagExitsNonZeroNamingTheFieldAndValue() {
    int code = run("serve", "--http-port", "0", "--admin-port", "0", "--chaos-latency-probability", "1.5");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("chaos.latency.probability").contains("1.5").contains("--chaos-latency-probability");
    assertThat(run("serve", "--http-port", "0", "--admin-port", "0", "--chaos-scenario", "nope")).isEqualTo(2);
    // and how to start a saved one, which a start cannot know of yet: it was told the built-ins only
    assertThat(err.toString()).contains("unknown scenario nope").contains("POST /api/chaos/scenarios/nope");
    assertThat(run("serve", "--no-such-flag")).isEqualTo(2);
    assertThat(err.toString()).contains("--no-such-flag");
  }

  @Test
  void aPortAnotherProgramHoldsIsNamedWithItsFieldNotNettysError() throws java.io.IOException {
    try (java.net.ServerSocket held = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
      int port = held.getLocalPort();
      String inUse = ": cannot listen on 127.0.0.1:" + port + ": the address is already in use (another program, or another Faultline, holds it)";
      assertThat(run("serve", "--http-port", "0", "--admin-port", Integer.toString(port), "--state-dir", state.toString())).isEqualTo(2);
      assertThat(err.toString()).contains("admin.port" + inUse).doesNotContain("error(-98)");
      err.getBuffer().setLength(0);
      assertThat(run("serve", "--http-port", Integer.toString(port), "--admin-port", "0", "--state-dir", state.toString())).isEqualTo(2);
      assertThat(err.toString()).contains("listeners[0].port" + inUse);
      err.getBuffer().setLength(0);
      assertThat(run("serve", "--http-port", "0", "--admin-port", "0", "--metrics-port", Integer.toString(port), "--state-dir", state.toString()))
          .isEqualTo(2);
      assertThat(err.toString()).contains("metrics.port" + inUse);
    }
  }

  @Test
  void aClusterHostThatIsNotThisMachinesOrAClusterPortHeldIsNamedBeforeHazelcastStarts() throws java.io.IOException {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): no machine has it
    assertThat(run("serve", "--http-port", "0", "--admin-port", "0", "--state-dir", state.toString(), "--cluster", "--cluster-host", "192.0.2.1"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("invalid configuration: cluster.host: 192.0.2.1 is no address of this machine").doesNotContain("\tat ");
    err.getBuffer().setLength(0);
    try (java.net.ServerSocket held = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
      assertThat(run("serve", "--http-port", "0", "--admin-port", "0", "--state-dir", state.toString(), "--cluster",
          "--cluster-port", Integer.toString(held.getLocalPort()))).isEqualTo(2);
      assertThat(err.toString()).contains("cluster.port: cannot listen on 127.0.0.1:" + held.getLocalPort() + ": the address is already in use");
    }
  }

  @Test
  void aStateDirectoryOrDatabaseThatCannotBeUsedIsNamedAtStart() throws java.io.IOException {
    java.nio.file.Path file = java.nio.file.Files.writeString(state.resolve("a-file"), "not a directory");
    assertThat(run("serve", "--http-port", "0", "--admin-port", "0", "--state-dir", file.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("invalid configuration: state_dir: " + file + " is a file, not a directory");
    err.getBuffer().setLength(0);
    int closed = Upstreams.closedPort();
    assertThat(run("serve", "--http-port", "0", "--admin-port", "0", "--state-dir", state.toString(),
        "--history-url", "postgresql://u:secret@127.0.0.1:" + closed + "/db")).isEqualTo(2);
    assertThat(err.toString()).contains("history.url: cannot open the database jdbc:postgresql://127.0.0.1:" + closed + "/db: Connection refused")
        .doesNotContain("secret").doesNotContain("\tat ");
    err.getBuffer().setLength(0);
    assertThat(run("serve", "--http-port", "0", "--admin-port", "0", "--state-dir", state.toString(),
        "--recorder", "--recorder-db", file.resolve("recorder.db").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("recorder.db: cannot open the database").contains(file + " is a file, not a directory");
  }

  @Test
  void aBlankAdminTokenIsRefusedRatherThanTurningAuthenticationOff() {
    assertThat(run("serve", "--http-port", "0", "--admin-port", "0", "--admin-token", "  ")).isEqualTo(2);
    assertThat(err.toString()).contains("admin.token").contains("blank").contains("--admin-token");
  }

  @Test
  void statusAndScenarioCommandsDriveARunningNode() {
    Gateway gateway = serve("--admin-token", "t0k");
    String url = "http://127.0.0.1:" + gateway.adminPort();
    assertThat(run("status", "--admin-url", url)).as("no token").isEqualTo(1);
    assertThat(err.toString()).contains("401");
    assertThat(run("status", "--admin-url", url, "--token", "t0k")).isZero();
    assertThat(new JsonObject(out.toString()).getBoolean("enabled")).isFalse();
    out.getBuffer().setLength(0);
    assertThat(run("scenario", "start", "service_instability", "--admin-url", url, "--token", "t0k")).isZero();
    assertThat(gateway.state().scenario()).isEqualTo("service_instability");
    out.getBuffer().setLength(0);
    assertThat(run("scenario", "list", "--admin-url", url, "--token", "t0k")).isZero();
    assertThat(new JsonObject(out.toString()).getString("active")).isEqualTo("service_instability");
    assertThat(run("scenario", "stop", "--admin-url", url, "--token", "t0k")).isZero();
    assertThat(gateway.state().scenario()).isNull();
    assertThat(run("scenario", "start", "nope", "--admin-url", url, "--token", "t0k")).isEqualTo(1);
    assertThat(err.toString()).contains("unknown scenario nope");
  }

  @Test
  void listenersCommandsAddAListenerAndRemoveItLettingItsRequestInFlightFinish() throws Exception {
    Gateway gateway = serve("--admin-token", "t0k");
    String url = "http://127.0.0.1:" + gateway.adminPort();
    java.util.concurrent.CompletableFuture<Void> arrived = new java.util.concurrent.CompletableFuture<>();
    int upstream = vertx.createHttpServer()
        .requestHandler(request -> {
          arrived.complete(null);
          vertx.setTimer(1_500, t -> request.response().end("slow done"));
        })
        .listen(Upstreams.portToListenOn(), "127.0.0.1").await().actualPort();
    assertThat(run("listeners", "add", "orders", "--protocol", "http", "--port", "0", "--upstream", "http://127.0.0.1:" + upstream,
        "--admin-url", url, "--token", "t0k")).as(err.toString()).isZero();
    int port = new JsonObject(out.toString()).getInteger("port");
    out.getBuffer().setLength(0);
    io.vertx.core.Future<HttpResponse<Buffer>> inFlight = client.get(port, "127.0.0.1", "/slow").send();
    arrived.get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(inFlight.isComplete()).as("in flight").isFalse();

    assertThat(run("listeners", "remove", "orders", "--grace-ms", "20000", "--admin-url", url, "--token", "t0k")).as(err.toString()).isZero();
    assertThat(new JsonObject(out.toString()).getString("name")).isEqualTo("orders");
    // answered before the removal returned: its answer reaches this client moments later, on the client's event loop
    // (read at once, it was sometimes not there yet); a removal that returned before the upstream's answer, 1.5 s
    // after the request arrived, leaves it pending far longer than this
    inFlight.toCompletionStage().toCompletableFuture().get(300, java.util.concurrent.TimeUnit.MILLISECONDS);
    assertThat(inFlight.isComplete()).as("the removal returned once the listener's last request was answered").isTrue();
    assertThat(inFlight.result().statusCode()).isEqualTo(200);
    assertThat(inFlight.result().bodyAsString()).isEqualTo("slow done");
    out.getBuffer().setLength(0);
    assertThat(run("listeners", "list", "--admin-url", url, "--token", "t0k")).isZero();
    assertThat(new JsonObject(out.toString()).getJsonArray("listeners").encode()).contains("\"web\"").doesNotContain("orders");

    assertThat(run("listeners", "remove", "orders", "--admin-url", url, "--token", "t0k")).isEqualTo(1);
    assertThat(err.toString()).contains("404").contains("no listener named orders on this node");
    assertThat(run("listeners", "add", "x", "--protocol", "ftp", "--admin-url", url, "--token", "t0k")).isEqualTo(1);
    assertThat(err.toString()).contains("400").contains("\"field\":\"protocol\"");
  }

  @Test
  void orchestrateValidatesStartsAndFollowsARunToItsReport(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    Gateway gateway = serve();
    String url = "http://127.0.0.1:" + gateway.adminPort();
    java.nio.file.Path template = dir.resolve("t.json");
    assertThat(run("orchestrate", "template", "--output", template.toString(), "--format", "json")).isZero();
    assertThat(run("orchestrate", "validate", "--file", template.toString())).isZero();
    assertThat(out.toString()).contains("valid orchestration my_orchestration (3 steps)");
    // a template never overwrites an orchestration written from the last one, unless asked to
    java.nio.file.Files.writeString(template, "name: mine\n");
    assertThat(run("orchestrate", "template", "--output", template.toString())).isEqualTo(2);
    assertThat(err.toString()).contains(template + " exists; give --force to replace it");
    assertThat(java.nio.file.Files.readString(template)).isEqualTo("name: mine\n");
    assertThat(run("orchestrate", "template", "--output", template.toString(), "--format", "json", "--force")).isZero();
    assertThat(java.nio.file.Files.readString(template)).contains("my_orchestration");
    // without --format, a FILE ending in .json gets JSON (it got YAML), any other YAML
    java.nio.file.Path named = dir.resolve("named.json");
    assertThat(run("orchestrate", "template", "--output", named.toString())).isZero();
    assertThat(new io.vertx.core.json.JsonObject(java.nio.file.Files.readString(named)).getString("name")).isEqualTo("my_orchestration");
    java.nio.file.Path yaml = dir.resolve("named.yaml");
    assertThat(run("orchestrate", "template", "--output", yaml.toString())).isZero();
    assertThat(java.nio.file.Files.readString(yaml)).doesNotStartWith("{");
    java.nio.file.Path file = dir.resolve("o.yaml");
    java.nio.file.Files.writeString(file, """
        name: cli_run
        steps:
          - {name: slow, scenario: {config: {latency: {fixed_delay_ms: 20}}}, duration_seconds: 0.5}
          - {name: calm, scenario: {config: {enabled: false}}, duration_seconds: 0.5}
        """);
    out.getBuffer().setLength(0);
    String cliRun = java.nio.file.Files.readString(file);
    assertThat(run("orchestrate", "start", "--file", file.toString(), "--base-url", url, "--follow")).as(err.toString()).isZero();
    assertThat(err.toString()).contains("valid orchestration cli_run");
    assertThat(out.toString()).contains("] ").contains("cli_run: succeeded").contains("succeeded  slow").contains("succeeded  calm");
    // figures as a person reads them: at most one decimal of a second or a millisecond, four of a rate (they came as 205.21339583333335)
    assertThat(out.toString()).containsPattern("cli_run: succeeded in \\d+(\\.\\d)? s")
        .containsPattern("succeeded  slow  error_rate (–|\\d(\\.\\d{1,4})?), avg_latency (–|\\d+(\\.\\d)?)\\R");
    java.nio.file.Files.writeString(file, "name: broken\nsteps:\n  - {name: x, duration_seconds: -1}\n");
    assertThat(run("orchestrate", "start", "--file", file.toString(), "--base-url", url)).isEqualTo(1);
    assertThat(err.toString()).contains("line 3: steps[0].duration_seconds: must be between 0 and 31536000, got -1");
    // A scenario the node does not have: the node refuses the start (issue 14.3); start leaves the check to it, and
    // does not warn about names that are not built in first (it did, for saved ones the node then ran)
    java.nio.file.Files.writeString(file, "name: failing\nsteps:\n  - {name: x, scenario: nope, duration_seconds: 0.1}\n");
    err.getBuffer().setLength(0);
    assertThat(run("orchestrate", "start", "--file", file.toString(), "--base-url", url, "--follow")).isEqualTo(1);
    assertThat(err.toString()).contains("valid orchestration failing (1 step)")
        .contains("cannot start: line 3: steps[0].scenario: unknown scenario nope").doesNotContain("is not a built-in scenario");
    // without --follow, stdout is the node's JSON answer alone, as a CI script reads the run_id from it
    java.nio.file.Files.writeString(file, cliRun);
    out.getBuffer().setLength(0);
    assertThat(run("orchestrate", "start", "--file", file.toString(), "--base-url", url)).as(err.toString()).isZero();
    assertThat(new io.vertx.core.json.JsonObject(out.toString()).getString("run_id")).as(out.toString()).startsWith("run-");
  }

  /** A start gives variables over the file's own, as execute does: from the CLI (--var) and from REST (?variables=). */
  @Test
  void orchestrateStartGivesVariablesOverTheFilesOwn(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    Gateway gateway = serve();
    String url = "http://127.0.0.1:" + gateway.adminPort();
    java.nio.file.Path file = dir.resolve("o.yaml");
    java.nio.file.Files.writeString(file, """
        name: short_in_ci
        variables: {seconds: 60, delay: 10, label: long, extra: {a: 1}}
        steps:
          - {name: "slow ${variables.label}", scenario: {config: {latency: {fixed_delay_ms: "${variables.delay}"}}}, duration_seconds: "${variables.seconds}"}
        """);
    long started = System.nanoTime();
    assertThat(run("orchestrate", "start", "--file", file.toString(), "--base-url", url, "--follow", "--var", "seconds=0.5",
        "--var", "delay=25", "--var", "label=short", "--var", "extra={\"a\": 2, \"b\": [3]}")).as(err.toString()).isZero();
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - started)).as("the 60 s of the file became 0.5 s").isLessThan(
        java.time.Duration.ofSeconds(30));
    assertThat(out.toString()).contains("succeeded  slow short");
    io.vertx.core.json.JsonObject report = new io.vertx.core.json.JsonObject(java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "/api/chaos/orchestration/reports/latest")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).body());
    assertThat(report.getJsonObject("variables").getValue("delay")).as("typed: a number").isEqualTo(25);
    // an object as given (it was written as Jackson's view of Vert.x's JsonObject: {"map": {...}, "empty": false})
    assertThat(report.getJsonObject("variables").getValue("extra")).isEqualTo(new io.vertx.core.json.JsonObject("{\"a\": 2, \"b\": [3]}"));

    assertThat(run("orchestrate", "start", "--file", file.toString(), "--base-url", url, "--var", "dealy=25")).isEqualTo(1);
    assertThat(err.toString()).contains("variables.dealy").contains("misspelt?");
    assertThat(run("orchestrate", "start", "--file", file.toString(), "--base-url", url, "--var", "delay")).isEqualTo(2);
    assertThat(err.toString()).contains("--var must be NAME=VALUE, got delay");
    java.net.http.HttpResponse<String> bad = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create(url + "/api/chaos/orchestration/start?variables=%5B1%5D"))
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(java.nio.file.Files.readString(file))).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("\"field\":\"variables\"").contains("must be a JSON object of variables");

    // a placeholder only a --var fills: the CLI checked the file without it and refused what the node runs
    java.nio.file.Path undeclared = dir.resolve("given.yaml");
    java.nio.file.Files.writeString(undeclared, """
        name: given_only
        steps:
          - {name: given, scenario: {config: {latency: {fixed_delay_ms: "${variables.delay}"}}}, duration_seconds: 0.2}
        """);
    assertThat(run("orchestrate", "start", "--file", undeclared.toString(), "--base-url", url, "--follow", "--var", "delay=25"))
        .as(err.toString()).isZero();
    assertThat(out.toString()).contains("succeeded  given");

    // an object or a list given as JSON fills a placeholder that stands for one (it was refused as "must be an object")
    java.nio.file.Path whole = dir.resolve("whole.yaml");
    java.nio.file.Files.writeString(whole, """
        name: whole_sections
        steps:
          - {name: configured, scenario: {config: "${variables.cfg}"}, duration_seconds: 0.2}
          - {name: failing, scenario: {config: {fault_injection: {http_errors: "${variables.codes}"}}}, duration_seconds: 0.2}
        """);
    assertThat(run("orchestrate", "start", "--file", whole.toString(), "--base-url", url, "--follow",
        "--var", "cfg={\"latency\": {\"fixed_delay_ms\": 20}}", "--var", "codes=[500, 503]")).as(err.toString()).isZero();
    assertThat(out.toString()).contains("succeeded  configured").contains("succeeded  failing");
  }

  /**
   * --follow reports the run it started, not whichever ran last: another client starting a run as soon as
   * this one ends made a failed run print the other's success and exit 0.
   */
  @Test
  void followReportsItsOwnRunWhenAnotherStartsRightAfter(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    Gateway gateway = serve();
    String url = "http://127.0.0.1:" + gateway.adminPort();
    java.nio.file.Path file = dir.resolve("fail.yaml");
    java.nio.file.Files.writeString(file, """
        name: zero_fail
        steps:
          - name: z1
            duration_seconds: 1
            assertions: [{type: metric_in_range, metric: request_count, min: 1000}]
        """);
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    java.util.concurrent.atomic.AtomicBoolean following = new java.util.concurrent.atomic.AtomicBoolean(true);
    Thread other = new Thread(() -> {
      // another client: starts its own run the moment the node takes one (409 while ours runs)
      try {
        while (following.get() && !http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "/api/chaos/orchestration/status"))
            .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body().contains("zero_fail")) {
          Thread.sleep(10); // until ours has started
        }
        while (following.get()) {
          var answer = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "/api/chaos/orchestration/start"))
              .POST(java.net.http.HttpRequest.BodyPublishers.ofString("name: other_ok\nsteps:\n  - {name: o, duration_seconds: 3}\n"))
              .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
          if (answer.statusCode() == 202) {
            return;
          }
          Thread.sleep(20);
        }
      } catch (Exception e) {
        // the test's own assertions say what went wrong
      }
    });
    out.getBuffer().setLength(0);
    Thread.sleep(50);
    int exit;
    try {
      other.start();
      exit = run("orchestrate", "start", "--file", file.toString(), "--base-url", url, "--follow");
    } finally {
      following.set(false);
      other.join(10_000);
    }
    assertThat(out.toString()).contains("zero_fail: failed").doesNotContain("other_ok")
        .containsPattern("\\n    assertion failed: metric_in_range: request_count [^\\n]*1000");
    assertThat(exit).as(out.toString()).isEqualTo(1);
  }

  @Test
  void offlineValidateWarnsAboutScenarioNamesOnlyANodeCanResolve() throws Exception {
    java.nio.file.Path example = java.nio.file.Path.of("..", "orchestrations", "src", "test", "resources", "reference-examples",
        "004-14-advanced_e-commerce_load_test.yaml");
    assertThat(run("orchestrate", "validate", "--file", example.toString())).isZero();
    assertThat(out.toString()).contains("valid orchestration Advanced E-Commerce Load Test (3 steps)");
    assertThat(err.toString()).contains("warning: line 39: advanced_steps[0].base.scenario: baseline_test is not a built-in scenario:"
        + " a node starts this only if it has a scenario saved under that name (POST /api/chaos/scenarios)")
        .contains("light_load is not a built-in").contains("heavy_load is not a built-in").contains("cooldown is not a built-in");
  }

  @Test
  void aCommandPointedAtTheTrafficPortSaysWhereTheAdminApiIsAndFails(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    Gateway gateway = serve();
    String traffic = "http://localhost:" + gateway.listenerPort("web");
    java.nio.file.Path file = dir.resolve("o.yaml");
    java.nio.file.Files.writeString(file, "name: wrong_port\nsteps:\n  - {name: a, scenario: slow_backend, duration_seconds: 1}\n");
    assertThat(run("orchestrate", "start", "--file", file.toString(), "--base-url", traffic)).isNotZero();
    assertThat(err.toString()).contains("is not a Faultline admin API").contains("127.0.0.1:9000");
    assertThat(run("status", "--admin-url", traffic)).isNotZero();
    assertThat(run("orchestrate", "status", "--base-url", "http://127.0.0.1:" + gateway.adminPort())).isZero();
    assertThat(gateway.state().snapshot().config().enabled()).as("nothing started").isFalse();
    HttpResponse<Buffer> mock = traffic(gateway, "/api/chaos/orchestration/start");
    assertThat(mock.statusCode()).isEqualTo(404);
    assertThat(mock.bodyAsJsonObject().getString("error")).contains("not the admin API").contains("--admin-port");
    // every admin path the reference documents call on :3000 (001's recorder search, 000's analytics): a mock
    // 200 there read as a search that found nothing
    for (String admin : List.of("/api/recorder/search", "/api/history/runs", "/api/analytics/health", "/api/config", "/api/traffic/recent")) {
      HttpResponse<Buffer> wrongPort = traffic(gateway, admin);
      assertThat(wrongPort.statusCode()).as(admin).isEqualTo(404);
      assertThat(wrongPort.bodyAsJsonObject().getString("error")).as(admin).contains("not the admin API");
    }
    assertThat(traffic(gateway, "/api/historyx").statusCode()).as("only the admin API's own paths").isEqualTo(200);
  }

  @Test
  void theAdminPortSpeaksTlsTheCliTrustsItsCaAndARenewedCertificateIsServedWithoutARestart(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    var certificates = new io.faultline.chaos.testing.TestCertificates(dir, "admin");
    var first = certificates.server("admin");
    Gateway gateway = serve("--admin-tls-cert", first.cert().toString(), "--admin-tls-key", first.key().toString());
    String url = "https://localhost:" + gateway.adminPort();
    assertThat(run("status", "--admin-url", url)).as("the JVM does not trust the test CA").isEqualTo(1);
    assertThat(err.toString()).contains("TLS with " + url + " failed").contains("--cacert");
    assertThat(run("status", "--admin-url", url, "--cacert", certificates.caFile().toString())).as(err.toString()).isZero();
    assertThat(new JsonObject(out.toString()).getBoolean("enabled")).isFalse();
    assertThat(certificates.servedSerial(gateway.adminPort())).isEqualTo(first.certificate().getSerialNumber());
    // renew: new files at the same paths; new connections get the new certificate within the watch interval
    var renewed = certificates.server("renewed");
    java.nio.file.Files.copy(renewed.cert(), first.cert(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    java.nio.file.Files.copy(renewed.key(), first.key(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    java.math.BigInteger serial = certificates.servedSerial(gateway.adminPort());
    while (!serial.equals(renewed.certificate().getSerialNumber()) && System.nanoTime() < deadline) {
      Thread.sleep(100);
      serial = certificates.servedSerial(gateway.adminPort());
    }
    assertThat(serial).as("the renewed certificate, no restart").isEqualTo(renewed.certificate().getSerialNumber());
  }

  @Test
  void statusWithNoNodeSaysSo() {
    int port = Upstreams.closedPort();
    assertThat(run("status", "--admin-url", "http://127.0.0.1:" + port)).isEqualTo(1);
    assertThat(err.toString()).contains("no gateway answers");
  }

  @Test
  void aBadAdminUrlOrFileIsOneLineNotAStackTrace() throws java.io.IOException {
    for (String url : List.of("notaurl", "", "ftp://127.0.0.1:9000", "http://127.0.0.1:99999", "http://h:9000 x", "localhost:9000")) {
      err.getBuffer().setLength(0);
      assertThat(run("status", "--admin-url", url)).as(url).isEqualTo(2); // a usage error, as a bad flag of serve
      assertThat(err.toString()).as(url).startsWith("the admin URL must be http://HOST:PORT").doesNotContain("\tat ");
    }
    err.getBuffer().setLength(0);
    assertThat(run("orchestrate", "template", "--output", state.resolve("no/such/dir/x.yaml").toString())).isEqualTo(1);
    assertThat(err.toString()).contains("no such file or directory").doesNotContain("\tat ");
    java.nio.file.Path latin1 = state.resolve("latin1.yaml");
    java.nio.file.Files.write(latin1, "name: caf\u00e9\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    err.getBuffer().setLength(0);
    assertThat(run("orchestrate", "validate", "--file", latin1.toString())).isEqualTo(1);
    assertThat(err.toString()).contains(latin1 + " line 1, column 10: byte 0xE9 is not UTF-8; save the file as UTF-8").doesNotContain("\tat ");
  }

  @Test
  void anEmptyIdOrNameIsAUsageErrorNotTheWholeCollection() {
    for (String[] args : new String[][] {{"history", "show", ""}, {"history", "trends", " "}, {"scenario", "start", ""},
        {"listeners", "remove", ""}}) {
      err.getBuffer().setLength(0);
      assertThat(run(args)).as(String.join(" ", args)).isEqualTo(2);
      assertThat(err.toString()).as(String.join(" ", args)).contains("must not be empty");
    }
  }

  /**
   * A command group given no subcommand is a usage error (it printed the usage and exited 0: a script that lost its
   * subcommand passed), and so is a token no Bearer header can carry, said without the token (the HTTP client's refusal
   * printed it in a stack trace).
   */
  @Test
  void aGroupWithoutItsSubcommandOrATokenNoHeaderCarriesIsAUsageError() {
    for (String group : List.of("orchestrate", "history", "scenario", "listeners", "recorder")) {
      err.getBuffer().setLength(0);
      assertThat(run(group)).as(group).isEqualTo(2);
      assertThat(err.toString()).as(group).contains("name a subcommand: ");
    }
    for (String token : List.of("s3cr3t\r", " s3cr3t", "s3cr\u00e9t")) {
      err.getBuffer().setLength(0);
      assertThat(run("status", "--admin-url", "http://127.0.0.1:1", "--token", token)).isEqualTo(2);
      assertThat(err.toString()).contains("must be printable ASCII with no space at either end").doesNotContain("s3cr")
          .doesNotContain("\tat ");
    }
  }

  /**
   * {@code --follow} rides out a node that does not answer for a moment (here its connections cut as the status is
   * asked, as a leader failing over answers 503): the first failure ended the command with exit 1 while the run went on.
   */
  @Test
  void followAsksAgainANodeThatDoesNotAnswerForAMoment(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    Gateway gateway = serve();
    java.util.concurrent.atomic.AtomicInteger cuts = new java.util.concurrent.atomic.AtomicInteger(3);
    io.vertx.core.http.HttpServer cutting = vertx.createHttpServer().requestHandler(request -> {
      if (request.path().equals("/api/chaos/orchestration/status") && cuts.getAndDecrement() > 0) {
        request.connection().close();
        return;
      }
      request.body().compose(body -> client.request(request.method(), gateway.adminPort(), "127.0.0.1", request.uri())
          .putHeaders(request.headers()).sendBuffer(body)).onComplete(ar -> {
            if (ar.failed()) {
              request.response().setStatusCode(502).end();
              return;
            }
            request.response().setStatusCode(ar.result().statusCode()).headers().addAll(ar.result().headers());
            request.response().end(ar.result().bodyAsBuffer() == null ? Buffer.buffer() : ar.result().bodyAsBuffer());
          });
    }).listen(0, "127.0.0.1").await();
    java.nio.file.Path file = dir.resolve("o.yaml");
    java.nio.file.Files.writeString(file, "name: patient\nsteps:\n  - {name: slow, scenario: {config: {latency: {fixed_delay_ms: 5}}},"
        + " duration_seconds: 4}\n");
    assertThat(run("orchestrate", "start", "--file", file.toString(), "--base-url", "http://127.0.0.1:" + cutting.actualPort(),
        "--follow")).as(err.toString()).isZero();
    assertThat(cuts.get()).as("every cut made").isNegative();
    assertThat(err.toString()).contains("; trying again for up to 60 s");
    assertThat(out.toString()).contains("patient: succeeded");
  }

  /** POST /api/chaos/scenarios/stop is the stop route: a start of a scenario called stop stopped the active one, and said 0. */
  @Test
  void startingAScenarioCalledStopIsAUsageError() {
    assertThat(run("scenario", "start", "stop", "--admin-url", "http://127.0.0.1:1")).isEqualTo(2);
    assertThat(err.toString()).contains("no scenario can be named stop").contains("faultline scenario stop");
  }

  @Test
  void helpShowsExamples() {
    assertThat(run("serve", "--help")).isZero();
    assertThat(out.toString()).contains("Examples:").contains("--chaos-latency-ms").contains("~2-15% throughput");
    java.io.PrintStream stderr = System.err;
    java.io.ByteArrayOutputStream traced = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(traced, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      for (String command : new String[] {"serve", "status", "scenario", "listeners", "orchestrate"}) {
        run(command, "--help");
      }
    } finally {
      System.setErr(stderr);
    }
    assertThat(traced.toString(java.nio.charset.StandardCharsets.UTF_8)).as("picocli's own warnings go to System.err")
        .doesNotContain("picocli WARN");
  }

  @Test
  void serveKeepsStateAndHistoryInTheXdgStateDirectoryByDefault() {
    ServeCommand.environment = () -> Map.of("XDG_STATE_HOME", state.toString());
    assertThat(run("serve", "--http-port", "0", "--admin-port", "0")).as(err.toString()).isZero();
    started = ServeCommand.running();
    assertThat(java.nio.file.Files.exists(state.resolve("faultline").resolve("history.db"))).isTrue();
    assertThat(io.faultline.gateway.config.GatewayConfig.defaultStateDir(Map.of("HOME", "/home/ada")))
        .isEqualTo("/home/ada/.local/state/faultline");
  }
}
