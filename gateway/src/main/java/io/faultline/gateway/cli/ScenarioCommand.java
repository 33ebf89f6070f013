package io.faultline.gateway.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code faultline scenario list|start NAME|stop} against a running node. */
@Command(name = "scenario", mixinStandardHelpOptions = true, description = "Lists, starts or stops chaos scenarios on a running node.",
    subcommands = {ScenarioCommand.List.class, ScenarioCommand.Start.class, ScenarioCommand.Stop.class},
    footer = {"", "Examples:", "  faultline scenario list", "  faultline scenario start cascading_failure", "  faultline scenario stop"})
public final class ScenarioCommand extends CommandGroup {

  /** {@code scenario list}. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the built-in and saved scenarios.")
  public static final class List extends AdminClient implements Callable<Integer> {
    @Override
    public Integer call() {
      return call("GET", "/api/chaos/scenarios");
    }
  }

  /** {@code scenario start NAME}. */
  @Command(name = "start", mixinStandardHelpOptions = true, description = "Starts a scenario: it replaces the active chaos config.")
  public static final class Start extends AdminClient implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "network_degradation, service_instability, cascading_failure, peak_traffic, slow_backend, or a saved one.")
    String name;

    @Override
    public Integer call() {
      if ("stop".equals(name)) {
        // POST /api/chaos/scenarios/stop is the stop route: it stopped the active scenario and answered 0
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
            "NAME: no scenario can be named stop; `faultline scenario stop` stops the active one");
      }
      return call("POST", "/api/chaos/scenarios/" + segment(name, "NAME"));
    }
  }

  /** {@code scenario stop}. */
  @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stops the active scenario and restores the config before it.")
  public static final class Stop extends AdminClient implements Callable<Integer> {
    @Override
    public Integer call() {
      return call("POST", "/api/chaos/scenarios/stop");
    }
  }
}
