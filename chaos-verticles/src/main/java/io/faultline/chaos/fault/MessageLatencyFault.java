package io.faultline.chaos.fault;

import io.faultline.chaos.engine.ChaosRandom;
import io.faultline.chaos.engine.Decision;
import io.faultline.chaos.engine.Fault;
import io.faultline.chaos.engine.MessageFault;
import io.faultline.chaos.engine.RequestFacts;

/**
 * The {@code MessageLatencyFault} delays every response message of a stream by {@code per_message_delay_ms}
 * (on a connection the {@link WebSocketFault} adds it to each message's latency instead).
 */
public final class MessageLatencyFault implements Fault {

  public static final String TYPE = "message_latency";

  private final Decision decision;

  public MessageLatencyFault(long ms) {
    this.decision = new MessageFault.Delay(TYPE, ms);
  }

  @Override
  public Decision decide(RequestFacts request, ChaosRandom random) {
    return request.shape() == RequestFacts.Shape.STREAM ? decision : Decision.PASS;
  }
}
