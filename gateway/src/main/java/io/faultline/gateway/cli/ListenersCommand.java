package io.faultline.gateway.cli;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code faultline listeners list|add|remove} against a running node: its traffic listeners, as {@code /api/listeners}. */
@Command(name = "listeners", mixinStandardHelpOptions = true, description = "Lists, adds or removes the traffic listeners of a running node.",
    subcommands = {ListenersCommand.List.class, ListenersCommand.Add.class, ListenersCommand.Remove.class},
    footer = {"", "Examples:", "  faultline listeners list",
        "  faultline listeners add orders --protocol http --port 3100 --upstream http://127.0.0.1:8080",
        "  faultline listeners remove orders --grace-ms 30000   # its requests in flight finish first"})
public final class ListenersCommand extends CommandGroup {

  /** {@code listeners list}. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the node's listeners with the ports they bound.")
  public static final class List extends AdminClient implements Callable<Integer> {
    @Override
    public Integer call() {
      return call("GET", "/api/listeners");
    }
  }

  /** {@code listeners add NAME --protocol P --port N --upstream U}. */
  @Command(name = "add", mixinStandardHelpOptions = true,
      description = "Starts a listener now; its chaos comes from the rules matching its name.")
  public static final class Add extends AdminClient implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "The listener's name (unique on the node).")
    String name;

    @Option(names = "--protocol", required = true, paramLabel = "http|grpc|websocket|graphql|tcp", description = "Its protocol.")
    String protocol;

    @Option(names = "--port", paramLabel = "PORT", description = "The port to listen on (default: the protocol's; 0 picks a free one).")
    Integer port;

    @Option(names = "--host", paramLabel = "HOST", description = "The address to listen on (default 127.0.0.1).")
    String host;

    @Option(names = "--upstream", paramLabel = "URL", description = "Where its traffic goes (tcp: HOST:PORT).")
    String upstream;

    @Override
    public Integer call() {
      JsonObject listener = new JsonObject().put("name", name).put("protocol", protocol);
      if (port != null) {
        listener.put("port", port);
      }
      if (host != null) {
        listener.put("host", host);
      }
      if (upstream != null) {
        listener.put("upstream", upstream);
      }
      return call("POST", "/api/listeners", listener.encode());
    }
  }

  /** {@code listeners remove NAME [--grace-ms MS]}. */
  @Command(name = "remove", mixinStandardHelpOptions = true,
      description = "Stops a listener: its port closes; its connections close at once, or finish first with --grace-ms.")
  public static final class Remove extends AdminClient implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "The listener to stop.")
    String name;

    @Option(names = "--grace-ms", paramLabel = "MS", defaultValue = "0",
        description = "Let its open connections finish for up to MS before closing them (default 0: at once; at most 3600000).")
    long graceMs;

    @Override
    public Integer call() {
      // the node answers once the listener has drained: wait for the grace, and then some
      return call("DELETE", "/api/listeners/" + segment(name, "NAME") + "?grace_ms=" + graceMs, null,
          Duration.ofMillis(Math.max(0, graceMs)).plusSeconds(30));
    }
  }
}
