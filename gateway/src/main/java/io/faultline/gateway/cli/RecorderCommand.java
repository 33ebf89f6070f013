package io.faultline.gateway.cli;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code faultline recorder search}: the flight recorder's exchanges, as reference 001's search body. */
@Command(name = "recorder", mixinStandardHelpOptions = true, description = "Searches the flight recorder of a running node.",
    subcommands = {RecorderCommand.Search.class},
    footer = {"", "Examples:", "  faultline recorder search --status-code 500",
        "  faultline recorder search --path '/api/orders/*' --fault latency --since 2026-11-30T10:00:00Z"})
public final class RecorderCommand extends CommandGroup {

  /** {@code recorder search}. */
  @Command(name = "search", mixinStandardHelpOptions = true,
      description = "Exchanges a fault touched (and sampled ones), newest first: POST /api/recorder/search.")
  public static final class Search extends AdminClient implements Callable<Integer> {
    @Option(names = "--status-code", paramLabel = "CODE", description = "The status the client got (gRPC: the gRPC code).") Integer statusCode;
    @Option(names = "--path", description = "Exact path, or a prefix ending in *.") String path;
    @Option(names = "--fault", paramLabel = "TYPE", description = "A fault type (latency, http_error, timeout, ...).") String fault;
    @Option(names = "--listener", paramLabel = "NAME", description = "A listener's name.") String listener;
    @Option(names = "--since", paramLabel = "TIME", description = "ISO-8601 or epoch ms.") String since;
    @Option(names = "--until", paramLabel = "TIME", description = "ISO-8601 or epoch ms.") String until;
    @Option(names = "--limit", paramLabel = "N", description = "At most N (default 100).") Integer limit;

    @Override
    public Integer call() {
      JsonObject body = new JsonObject();
      put(body, "status_code", statusCode);
      put(body, "path", path);
      put(body, "fault", fault);
      put(body, "listener", listener);
      put(body, "since", since);
      put(body, "until", until);
      put(body, "limit", limit);
      HttpResponse<String> response = send("POST", "/api/recorder/search", body.encode());
      if (response == null) {
        return 1;
      }
      spec.commandLine().getOut().println(response.body());
      return 0;
    }

    private static void put(JsonObject body, String field, Object value) {
      if (value != null) {
        body.put(field, value);
      }
    }
  }
}
