package io.faultline.chaos.fault;

import io.faultline.chaos.engine.ChaosRandom;
import io.faultline.chaos.engine.Decision;
import io.faultline.chaos.engine.Fault;
import io.faultline.chaos.engine.RequestFacts;
import io.faultline.chaos.engine.Terminal;

/** The {@code ResetPeerFault} closes the client connection at once, with no response (a connection error). */
public final class ResetPeerFault implements Fault {

  public static final String TYPE = "connection_error"; // as its field (reset_peer is the TCP toxic's, counted apart)

  private static final Decision RESET = new Terminal.Reset(TYPE);

  @Override
  public Decision decide(RequestFacts request, ChaosRandom random) {
    return RESET;
  }
}
