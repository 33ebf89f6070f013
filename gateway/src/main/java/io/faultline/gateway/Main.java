package io.faultline.gateway;

import io.faultline.gateway.cli.HistoryCommand;
import io.faultline.gateway.cli.OrchestrateCommand;
import io.faultline.gateway.cli.RecorderCommand;
import io.faultline.gateway.cli.ListenersCommand;
import io.faultline.gateway.cli.ScenarioCommand;
import io.faultline.gateway.cli.ServeCommand;
import io.faultline.gateway.cli.StatusCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code faultline} command line: wiring only. */
@Command(name = "faultline", mixinStandardHelpOptions = true, version = "Faultline 0.1.0",
    description = "A multi-protocol chaos gateway: routes traffic to upstreams and injects latency, errors, "
        + "timeouts, resets, partial responses, rate limits and bandwidth limits into it.",
    subcommands = {ServeCommand.class, StatusCommand.class, ScenarioCommand.class, ListenersCommand.class, OrchestrateCommand.class,
        HistoryCommand.class, RecorderCommand.class, CommandLine.HelpCommand.class},
    footer = {"",
        "Examples:",
        "  faultline serve                                   # mock upstream on :3000, admin API on 127.0.0.1:9000",
        "  faultline serve --upstream http://127.0.0.1:8080 --chaos --chaos-latency-ms 300",
        "  faultline serve --chaos --chaos-http-errors 503 --chaos-http-error-probability 0.5 --seed 42",
        "  faultline serve --config faultline.yaml",
        "  faultline status",
        "  faultline scenario start network_degradation",
        "  faultline listeners remove orders --grace-ms 30000",
        "  faultline history list --name checkout",
        "  faultline recorder search --status-code 500"})
public final class Main implements Runnable {

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  public static CommandLine commandLine() {
    return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
  }

  public static void main(String[] args) {
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT %4$s %3$s: %5$s%6$s%n");
    }
    int code = commandLine().execute(args);
    if (code != 0 || !ServeCommand.isServing()) {
      System.exit(code);
    }
  }
}
