package io.faultline.chaos.fault;

import io.faultline.chaos.engine.ChaosRandom;
import io.faultline.chaos.engine.Decision;
import io.faultline.chaos.engine.Fault;
import io.faultline.chaos.engine.MessageFault;
import io.faultline.chaos.engine.RequestFacts;

/**
 * The {@code AbortStreamFault} ends a stream with {@code abort_status} once {@code abort_after_messages}
 * response messages went through (streams only: a call has no messages to count).
 */
public final class AbortStreamFault implements Fault {

  public static final String TYPE = "abort_stream";

  private final Decision decision;

  public AbortStreamFault(int afterMessages, String code) {
    this.decision = new MessageFault.AbortAfter(TYPE, afterMessages, code);
  }

  @Override
  public Decision decide(RequestFacts request, ChaosRandom random) {
    return request.shape() == RequestFacts.Shape.STREAM ? decision : Decision.PASS;
  }
}
