package io.faultline.chaos.fault;

import io.faultline.chaos.engine.ChaosRandom;
import io.faultline.chaos.engine.Decision;
import io.faultline.chaos.engine.Fault;
import io.faultline.chaos.engine.RequestFacts;
import io.faultline.chaos.engine.Terminal;

/**
 * The {@code PartialResponseFault} sends the upstream's status, headers (with the full Content-Length)
 * and the first half of its body, then closes the connection.
 */
public final class PartialResponseFault implements Fault {

  public static final String TYPE = "partial_response";

  private static final Decision HALF = new Terminal.Cut(TYPE, 0.5);

  @Override
  public Decision decide(RequestFacts request, ChaosRandom random) {
    return HALF;
  }
}
