package io.faultline.chaos.fault;

import io.faultline.chaos.engine.ChaosRandom;
import io.faultline.chaos.engine.Decision;
import io.faultline.chaos.engine.Fault;
import io.faultline.chaos.engine.RequestFacts;

/** The {@code MessageLatencyFault} delays every response message of a stream by {@code per_message_delay_ms}. */
public final class MessageLatencyFault implements Fault {

  public static final String TYPE = "message_latency";

  private final Decision decision;

  public MessageLatencyFault(long ms) {
    this.decision = new Decision.MessageDelay(ms);
  }

  @Override
  public Decision decide(RequestFacts request, ChaosRandom random) {
    return decision;
  }
}
