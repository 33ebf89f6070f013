package io.faultline.gateway.cli;

import io.faultline.chaos.config.Utf8Files;
import io.faultline.orchestration.parse.OrchestrationParser;
import io.faultline.orchestration.parse.ScenarioNames;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code faultline orchestrate template|validate|start|status|stop}: orchestrations from the command line. */
@Command(name = "orchestrate", mixinStandardHelpOptions = true,
    description = "Writes, validates and runs orchestrations (sequences of chaos steps) on a running node.",
    subcommands = {OrchestrateCommand.Template.class, OrchestrateCommand.Validate.class, OrchestrateCommand.Start.class,
        OrchestrateCommand.Status.class, OrchestrateCommand.Stop.class},
    footer = {"", "Examples:",
        "  faultline orchestrate template --output chaos.yaml --format yaml",
        "  faultline orchestrate validate --file chaos.yaml",
        "  faultline orchestrate start --file chaos.yaml --base-url http://127.0.0.1:9000 --follow",
        "  faultline orchestrate status",
        "  faultline orchestrate stop"})
public final class OrchestrateCommand extends CommandGroup {

  static final String TEMPLATE_YAML = """
      name: my_orchestration
      description: Latency, then errors, then a check that the service recovered
      variables:
        max_error_rate: 0.05
      steps:
        - name: slow
          scenario:
            config:
              latency: { fixed_delay_ms: 200, jitter_percent: 10 }
          duration_seconds: 30
        - name: failing
          scenario: service_instability
          duration_seconds: 30
          continue_on_failure: true
        - name: recovery
          scenario:
            config: { enabled: false }
          duration_seconds: 30
          assertions:
            - { type: metric_in_range, metric: error_rate, min: 0, max: 0.05 }
      parallel: false
      loop_orchestration: false
      max_iterations: 1
      tags: [example]
      """;

  static final String TEMPLATE_JSON = """
      {
        "name": "my_orchestration",
        "description": "Latency, then errors, then a check that the service recovered",
        "steps": [
          {"name": "slow", "scenario": {"config": {"latency": {"fixed_delay_ms": 200, "jitter_percent": 10}}}, "duration_seconds": 30},
          {"name": "failing", "scenario": "service_instability", "duration_seconds": 30, "continue_on_failure": true},
          {"name": "recovery", "scenario": {"config": {"enabled": false}}, "duration_seconds": 30,
           "assertions": [{"type": "metric_in_range", "metric": "error_rate", "min": 0, "max": 0.05}]}
        ],
        "parallel": false,
        "loop_orchestration": false,
        "max_iterations": 1,
        "tags": ["example"]
      }
      """;

  /** {@code orchestrate template}. */
  @Command(name = "template", mixinStandardHelpOptions = true, description = "Writes a commented starting point.")
  public static final class Template implements Callable<Integer> {
    @Option(names = "--output", paramLabel = "FILE", required = true, description = "Where to write it.")
    Path output;

    @Option(names = "--format", paramLabel = "yaml|json", description = "yaml or json; by default json for a FILE ending in .json, else yaml.")
    String format;

    @Option(names = "--force", description = "Replace FILE when it exists (without it, an existing file is kept and nothing is written).")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      if (format == null) {
        // a .json file of YAML fails every JSON tool run on it
        format = output.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".json") ? "json" : "yaml";
      }
      if (!format.equals("yaml") && !format.equals("json")) {
        spec.commandLine().getErr().println("faultline: --format must be yaml or json, got " + format);
        return 2;
      }
      if (!force && Files.exists(output)) {
        // a starting point must never overwrite the orchestration someone wrote from the last one
        spec.commandLine().getErr().println("faultline: " + output + " exists; give --force to replace it");
        return 2;
      }
      Files.writeString(output, format.equals("yaml") ? TEMPLATE_YAML : TEMPLATE_JSON);
      spec.commandLine().getOut().println("wrote " + output);
      return 0;
    }
  }

  /** {@code orchestrate validate}. */
  @Command(name = "validate", mixinStandardHelpOptions = true, description = "Checks a file and lists every problem with its path and line.")
  public static final class Validate implements Callable<Integer> {
    @Option(names = "--file", paramLabel = "FILE", required = true, description = "The orchestration, YAML or JSON.")
    Path file;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      return validate(file, spec) == null ? 1 : 0;
    }
  }

  /** Parses {@code file}; prints its problems and answers null when it is invalid. */
  static String validate(Path file, CommandSpec spec) throws IOException {
    return validate(file, spec, spec.commandLine().getOut(), true, Map.of());
  }

  /**
   * As {@link #validate(Path, CommandSpec)}, saying it is valid on {@code out}: {@code start} says it on stderr,
   * its stdout being the node's JSON answer alone (a script reads the run_id from it). {@code offline}: warn about
   * scenario names that are not built in, which only the node can check ({@code start} leaves that to the node,
   * which refuses a name it lacks). {@code given}: the run's variables over the file's own, as the node reads them
   * ({@code start --var}: a placeholder only a given variable fills was refused here and accepted by the node).
   */
  static String validate(Path file, CommandSpec spec, PrintWriter out, boolean offline, Map<String, Object> given) throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    if (!Files.isRegularFile(file)) {
      err.println("faultline: no file " + file);
      return null;
    }
    String text = Utf8Files.read(file);
    OrchestrationParser.Result result = OrchestrationParser.parse(text, given);
    if (!result.valid()) {
      err.println(file + ": " + result.problems().size() + " problem(s)");
      result.problems().forEach(p -> err.println("  " + p));
      return null;
    }
    int steps = result.orchestration().steps().size();
    out.println(file + ": valid orchestration " + result.orchestration().name() + " (" + steps + (steps == 1 ? " step)" : " steps)"));
    if (offline) {
      // Offline, only built-in scenarios are known: a node checks saved ones when it validates or starts.
      ScenarioNames.notBuiltIn(result.scenarios()).forEach(p -> err.println("  warning: " + p));
    }
    return text;
  }

  /** {@code orchestrate start}. */
  @Command(name = "start", mixinStandardHelpOptions = true, description = "Starts an orchestration on the node; --follow shows its progress.")
  public static final class Start extends AdminClient implements Callable<Integer> {
    @Option(names = "--file", paramLabel = "FILE", required = true, description = "The orchestration, YAML or JSON.")
    Path file;

    @Option(names = "--follow", description = "Show progress until it ends; exit 1 if it does not succeed.")
    boolean follow;

    @Option(names = "--var", paramLabel = "NAME=VALUE", description = "A variable for this run, over the file's own (repeatable);"
        + " VALUE is read as JSON when it is (250, true, \"text\"), else as text.")
    java.util.List<String> vars = new java.util.ArrayList<>();

    @Override
    public Integer call() throws IOException, InterruptedException {
      JsonObject variables = new JsonObject();
      for (String var : vars) {
        int eq = var.indexOf('=');
        if (eq <= 0) {
          throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--var must be NAME=VALUE, got " + var);
        }
        String value = var.substring(eq + 1);
        Object parsed;
        try {
          parsed = io.vertx.core.json.Json.decodeValue(value);
        } catch (io.vertx.core.json.DecodeException notJson) {
          parsed = value;
        }
        variables.put(var.substring(0, eq), parsed);
      }
      String text = validate(file, spec, spec.commandLine().getErr(), false, variables.getMap());
      if (text == null) {
        return 1;
      }
      String path = "/api/chaos/orchestration/start" + (variables.isEmpty() ? ""
          : "?variables=" + java.net.URLEncoder.encode(variables.encode(), java.nio.charset.StandardCharsets.UTF_8));
      HttpResponse<String> started = send("POST", path, text);
      if (started == null) {
        return 1;
      }
      PrintWriter out = spec.commandLine().getOut();
      if (!follow) {
        out.println(started.body());
        return 0;
      }
      // this run's: another client, or a schedule, may start a run as soon as this one ends
      String runId = new JsonObject(started.body()).getString("run_id");
      String last = "";
      while (true) {
        HttpResponse<String> status = poll("/api/chaos/orchestration/status");
        if (status == null) {
          return 1;
        }
        JsonObject s = new JsonObject(status.body());
        if (runId != null && !runId.equals(s.getString("run_id"))) {
          break; // ours has ended, and another run is reported now
        }
        String line = bar(s.getDouble("progress", 0.0)) + " " + s.getString("status") + (s.getString("current_step") == null ? ""
            : " · " + s.getString("current_step")) + " · iteration " + s.getInteger("iteration", 0);
        if (!line.equals(last)) {
          out.println(line);
          out.flush();
          last = line;
        }
        if (!s.getBoolean("is_running", false)) {
          break;
        }
        Thread.sleep(500);
      }
      HttpResponse<String> report = runId == null ? send("GET", "/api/chaos/orchestration/reports/latest", null) : report(runId);
      if (report == null) {
        return 1;
      }
      JsonObject r = new JsonObject(report.body());
      out.println(r.getString("name") + ": " + r.getString("status") + " in " + figure(r.getLong("duration_ms") / 1000.0, 1) + " s");
      r.getJsonArray("steps").forEach(o -> {
        JsonObject step = (JsonObject) o;
        JsonObject metrics = step.getJsonObject("metrics");
        out.println("  " + step.getString("status") + "  " + step.getString("name") + "  error_rate "
            + figure(metrics.getValue("error_rate"), 4) + ", avg_latency " + figure(metrics.getValue("avg_latency"), 1)
            + (step.getString("error") == null ? "" : "  (" + step.getString("error") + ")"));
        failedAssertions(step, "    ", out);
      });
      failedAssertions(r, "  ", out);
      r.getJsonArray("errors").forEach(e -> out.println("  error: " + e));
      return "succeeded".equals(r.getString("status")) ? 0 : 1;
    }

    /** Says which of {@code result}'s assertions failed, and why ("a global assertion failed" named none). */
    private static void failedAssertions(JsonObject result, String indent, PrintWriter out) {
      JsonArray assertions = result.getJsonArray("assertions");
      if (assertions != null) {
        assertions.stream().filter(a -> a instanceof JsonObject j && !j.getBoolean("passed", true))
            .forEach(a -> out.println(indent + "assertion failed: " + ((JsonObject) a).getString("type") + ": " + ((JsonObject) a).getString("message")));
      }
    }

    /** The report of run {@code runId}, once kept (a moment after the run ends; 15 s at most), or null after saying so. */
    private HttpResponse<String> report(String runId) throws InterruptedException {
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
      while (true) {
        HttpResponse<String> list = poll("/api/chaos/orchestration/reports");
        if (list == null) {
          return null;
        }
        boolean kept = new JsonObject(list.body()).getJsonArray("reports", new io.vertx.core.json.JsonArray()).stream()
            .anyMatch(o -> o instanceof JsonObject r && runId.equals(r.getString("id")));
        if (kept) {
          return poll("/api/chaos/orchestration/reports/" + runId);
        }
        if (System.nanoTime() > deadline) {
          spec.commandLine().getErr().println("faultline: run " + runId + " ended, but its report was not kept within 15 s");
          return null;
        }
        Thread.sleep(200);
      }
    }

    /** {@code value} with at most {@code decimals} decimals ({@code 205.21339583} is {@code 205.2}), or "–" when not measured. */
    static String figure(Object value, int decimals) {
      if (!(value instanceof Number n) || !Double.isFinite(n.doubleValue())) {
        return value == null ? "–" : value.toString();
      }
      return new java.math.BigDecimal(n.toString()).setScale(decimals, java.math.RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

    private static String bar(double progress) {
      int filled = (int) Math.round(progress * 20);
      return "[" + "#".repeat(filled) + ".".repeat(20 - filled) + "] " + Math.round(progress * 100) + "%";
    }
  }

  /** {@code orchestrate status}. */
  @Command(name = "status", mixinStandardHelpOptions = true, description = "Shows the running (or last) orchestration.")
  public static final class Status extends AdminClient implements Callable<Integer> {
    @Override
    public Integer call() {
      return call("GET", "/api/chaos/orchestration/status");
    }
  }

  /** {@code orchestrate stop}. */
  @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stops the running orchestration; its chaos is undone.")
  public static final class Stop extends AdminClient implements Callable<Integer> {
    @Override
    public Integer call() {
      return call("POST", "/api/chaos/orchestration/stop", null, java.time.Duration.ofSeconds(25)); // answers once the run has wound down
    }
  }
}
