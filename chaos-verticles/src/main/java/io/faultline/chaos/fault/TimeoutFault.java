package io.faultline.chaos.fault;

import io.faultline.chaos.engine.ChaosRandom;
import io.faultline.chaos.engine.Decision;
import io.faultline.chaos.engine.Fault;
import io.faultline.chaos.engine.RequestFacts;
import io.faultline.chaos.engine.Terminal;

/** The {@code TimeoutFault} holds the request without answering for {@code timeout_ms}, then closes the connection. */
public final class TimeoutFault implements Fault {

  public static final String TYPE = "timeout";

  private final Decision decision;

  public TimeoutFault(long timeoutMs) {
    this.decision = new Terminal.Timeout(TYPE, timeoutMs);
  }

  @Override
  public Decision decide(RequestFacts request, ChaosRandom random) {
    return decision;
  }
}
