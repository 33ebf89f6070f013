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
    return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).setExecutionExceptionHandler(Main::failed);
  }

  /**
   * A command that could not read or write a file the user named says so in one line (exit 1); anything
   * else is a bug, and its stack trace is printed as picocli would.
   */
  private static int failed(Exception e, CommandLine command, CommandLine.ParseResult parsed) throws Exception {
    Throwable cause = e instanceof java.io.UncheckedIOException u ? u.getCause() : e;
    String message;
    if (cause instanceof io.faultline.chaos.config.Utf8Files.NotUtf8) {
      message = cause.getMessage();
    } else if (cause instanceof java.nio.charset.CharacterCodingException) {
      message = "a file it read is not UTF-8 text (" + cause.getMessage() + ")";
    } else if (cause instanceof java.nio.file.NoSuchFileException n) {
      message = "no such file or directory: " + n.getFile();
    } else if (cause instanceof java.nio.file.FileSystemException f) {
      message = f.getFile() + ": " + (f.getReason() == null ? f.getClass().getSimpleName() : f.getReason());
    } else if (cause instanceof java.io.IOException io) {
      message = String.valueOf(io.getMessage());
    } else {
      throw e;
    }
    command.getErr().println("faultline " + command.getCommandName() + ": " + message);
    return 1;
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
