package io.faultline.gateway.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code faultline status}: the chaos status of a running node. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Prints the chaos status of a running node.",
    footer = {"", "Example:", "  faultline status --admin-url http://127.0.0.1:9000"})
public final class StatusCommand extends AdminClient implements Callable<Integer> {

  @Override
  public Integer call() {
    return call("GET", "/api/chaos/status");
  }
}
