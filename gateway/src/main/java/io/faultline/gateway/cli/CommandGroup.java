package io.faultline.gateway.cli;

import picocli.CommandLine;

/**
 * A command that only groups subcommands ({@code faultline orchestrate}): given none, it is a usage error (exit 2, the
 * usage on stderr), as README says of a command line that cannot run as given. It printed the usage and exited 0, so a
 * script that lost its subcommand passed.
 */
abstract class CommandGroup implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand: "
        + String.join(", ", spec.subcommands().keySet()));
  }
}
