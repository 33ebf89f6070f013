package io.faultline.gateway.cli;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code faultline history list|show|trends|compare|export|ab|stop} against a running node's admin API. */
@Command(name = "history", mixinStandardHelpOptions = true,
    description = "Orchestration runs as history keeps them: list, show, trends, compare, export; A/B tests, and stopping an experiment.",
    subcommands = {HistoryCommand.List.class, HistoryCommand.Show.class, HistoryCommand.Trends.class, HistoryCommand.Compare.class,
        HistoryCommand.Export.class, HistoryCommand.Ab.class, HistoryCommand.Stop.class},
    footer = {"", "Examples:",
        "  faultline history list --name checkout --since 2026-11-01T00:00:00Z --min-score 50",
        "  faultline history show run-1a2b3c4d5e6f",
        "  faultline history trends checkout --days 30",
        "  faultline history compare run-1a2b3c4d5e6f run-5e6f7a8b9c0d --rank-by error_rate",
        "  faultline history export --format csv --output history.csv --status failed --since 2026-11-01T00:00:00Z",
        "  faultline history ab --a release-a --b release-b --samples 5",
        "  faultline history stop ab-1a2b3c4d5e6f"})
public final class HistoryCommand extends CommandGroup {

  /** {@code ?k=v&...} from the pairs whose value is given. */
  static String query(String... pairs) {
    StringJoiner q = new StringJoiner("&", "?", "").setEmptyValue("");
    for (int i = 0; i < pairs.length; i += 2) {
      if (pairs[i + 1] != null) {
        q.add(pairs[i] + "=" + URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
      }
    }
    return q.toString();
  }

  /** Which runs: the filters {@code list} and {@code export} share. */
  public static final class RunFilters {
    @Option(names = "--name", description = "Only this orchestration.") String name;
    @Option(names = "--tag", description = "Only runs with this tag.") String tag;
    @Option(names = "--status", description = "succeeded, failed, stopped or aborted (a run in history has ended: `orchestrate status` shows one running).") String status;
    @Option(names = "--since", paramLabel = "TIME", description = "ISO-8601 or epoch ms.") String since;
    @Option(names = "--until", paramLabel = "TIME", description = "ISO-8601 or epoch ms.") String until;
    @Option(names = "--min-score", paramLabel = "N", description = "Resilience score at least N (0..100).") String minScore;
    @Option(names = "--limit", paramLabel = "N", description = "At most N runs (default 100 for list, every run for export).") String limit;

    /** The filters given, with {@code more} name-value pairs, as a query string. */
    String query(String... more) {
      String[] pairs = java.util.stream.Stream.concat(java.util.stream.Stream.of("name", name, "tag", tag, "status", status,
          "since", since, "until", until, "min_score", minScore, "limit", limit), java.util.Arrays.stream(more)).toArray(String[]::new);
      return HistoryCommand.query(pairs);
    }
  }

  /** {@code history list}. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists runs, newest first.")
  public static final class List extends AdminClient implements Callable<Integer> {
    @picocli.CommandLine.Mixin RunFilters filters;

    @Override
    public Integer call() {
      return call("GET", "/api/history/runs" + filters.query());
    }
  }

  /** {@code history show ID}. */
  @Command(name = "show", mixinStandardHelpOptions = true, description = "Shows one run: its report, score and breakdown.")
  public static final class Show extends AdminClient implements Callable<Integer> {
    @Parameters(paramLabel = "ID") String id;

    @Override
    public Integer call() {
      return call("GET", "/api/history/runs/" + segment(id, "ID"));
    }
  }

  /** {@code history stop ID}. */
  @Command(name = "stop", mixinStandardHelpOptions = true,
      description = "Stops a running A/B test or breaking-point search; prints it once stopped, its config put back.")
  public static final class Stop extends AdminClient implements Callable<Integer> {
    @Parameters(paramLabel = "ID", description = "The experiment's id, as ab or the breaking-point request answered it.") String id;

    @Override
    public Integer call() {
      return call("POST", "/api/history/experiments/" + segment(id, "ID") + "/stop");
    }
  }

  /** {@code history trends NAME}. */
  @Command(name = "trends", mixinStandardHelpOptions = true,
      description = "Runs, success rate, average score and the score's trend (slope per day with its 95%% interval).")
  public static final class Trends extends AdminClient implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "The orchestration's name.") String name;
    @Option(names = "--days", paramLabel = "N", description = "The last N days (default 30).") String days;

    @Override
    public Integer call() {
      return call("GET", "/api/history/trends/" + segment(name, "NAME") + query("days", days));
    }
  }

  /** {@code history compare ID ID...}. */
  @Command(name = "compare", mixinStandardHelpOptions = true,
      description = "Runs side by side with deltas, error-rate and latency tests against the first, and a ranking.")
  public static final class Compare extends AdminClient implements Callable<Integer> {
    @Parameters(paramLabel = "ID", arity = "2..10") java.util.List<String> ids;
    @Option(names = "--rank-by", paramLabel = "METRIC",
        description = "resilience_score (default), error_rate, error_count, p95_latency, avg_latency, duration_ms, request_count.") String rankBy;

    @Override
    public Integer call() {
      return call("GET", "/api/history/compare" + query("ids", String.join(",", ids), "rank_by", rankBy));
    }
  }

  /** {@code history export}. */
  @Command(name = "export", mixinStandardHelpOptions = true,
      description = "Every run with its figures (or those the filters pick), as CSV or JSON.")
  public static final class Export extends AdminClient implements Callable<Integer> {
    @Option(names = "--format", defaultValue = "csv", description = "csv (default) or json.") String format;
    @Option(names = "--output", paramLabel = "FILE", description = "Write to FILE instead of the standard output (- for it).") Path output;
    @Option(names = "--force", description = "Replace FILE when it exists (without it, an existing file is kept and nothing is written).")
    boolean force;
    @picocli.CommandLine.Mixin RunFilters filters;

    @Override
    public Integer call() {
      if (output != null && output.toString().equals("-")) {
        output = null; // "-" is the standard output, as for curl -o -
      }
      if (output != null && !force && Files.exists(output)) {
        // last month's export, kept for a comparison, must not be lost to this one
        spec.commandLine().getErr().println("faultline: " + output + " exists; give --force to replace it");
        return 2;
      }
      HttpResponse<String> response = send("GET", "/api/history/export" + filters.query("format", format), null);
      if (response == null) {
        return 1;
      }
      // a cut export says so, as the API does in its header: the file alone looked like every run there is
      response.headers().firstValue("X-Faultline-Truncated").ifPresent(cut -> spec.commandLine().getErr()
          .println("faultline: the export holds " + cut.replace("since and until", "--since and --until")));
      if (output == null) {
        spec.commandLine().getOut().print(response.body());
        spec.commandLine().getOut().flush();
        return 0;
      }
      try {
        Files.writeString(output, response.body());
        return 0;
      } catch (java.nio.file.NoSuchFileException e) {
        spec.commandLine().getErr().println("faultline: cannot write " + output + ": no such directory "
            + output.toAbsolutePath().getParent());
        return 1;
      } catch (IOException e) {
        spec.commandLine().getErr().println("faultline: cannot write " + output + ": " + e.getMessage());
        return 1;
      }
    }
  }

  /** {@code history ab}. */
  @Command(name = "ab", mixinStandardHelpOptions = true,
      description = "A/B test: runs library entries A and B alternately, then names the winner (or no significant difference).")
  public static final class Ab extends AdminClient implements Callable<Integer> {
    @Option(names = "--a", required = true, paramLabel = "ENTRY", description = "Library entry of variant A.") String a;
    @Option(names = "--b", required = true, paramLabel = "ENTRY", description = "Library entry of variant B.") String b;
    @Option(names = "--samples", defaultValue = "5", description = "Runs of each (2..20, default ${DEFAULT-VALUE}).") int samples;
    @Option(names = "--metric", defaultValue = "resilience_score",
        description = "resilience_score (default), error_rate, p95_latency or avg_latency.") String metric;
    @Option(names = "--alpha", paramLabel = "P", description = "Significance level (default 0.05).") Double alpha;
    @Option(names = "--min-requests", paramLabel = "N", description = "Fewest requests a sample run may see (default 1).") Integer minRequests;
    @Option(names = "--seed", paramLabel = "N", description = "Seed of the samples' chaos seeds (default 42): the same seed replays them.") Long seed;
    @Option(names = "--follow", description = "Wait for the result and print it.") boolean follow;

    @Override
    public Integer call() throws InterruptedException {
      io.vertx.core.json.JsonObject request = new io.vertx.core.json.JsonObject().put("a", a).put("b", b).put("samples", samples)
          .put("metric", metric);
      // given only when set, so the API's defaults stay the one place they are decided
      if (alpha != null) {
        request.put("alpha", alpha);
      }
      if (minRequests != null) {
        request.put("min_requests", minRequests);
      }
      if (seed != null) {
        request.put("seed", seed);
      }
      String body = request.encode();
      HttpResponse<String> started = send("POST", "/api/history/ab", body);
      if (started == null) {
        return 1;
      }
      if (!follow) {
        spec.commandLine().getOut().println(started.body());
        return 0;
      }
      String id = new io.vertx.core.json.JsonObject(started.body()).getString("id");
      while (true) {
        HttpResponse<String> now = poll("/api/history/experiments/" + segment(id, "ID"));
        if (now == null) {
          return 1;
        }
        io.vertx.core.json.JsonObject experiment = new io.vertx.core.json.JsonObject(now.body());
        if (!"running".equals(experiment.getString("status"))) {
          spec.commandLine().getOut().println(experiment.getValue("result") != null
              ? experiment.getJsonObject("result").getString("conclusion") : "failed: " + experiment.getString("error"));
          return "succeeded".equals(experiment.getString("status")) ? 0 : 1;
        }
        Thread.sleep(1_000); // polling the node: the experiment has no push channel to the CLI
      }
    }
  }
}
