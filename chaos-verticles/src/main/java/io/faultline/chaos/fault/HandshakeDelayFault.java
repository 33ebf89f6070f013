package io.faultline.chaos.fault;

import io.faultline.chaos.engine.ChaosRandom;
import io.faultline.chaos.engine.Decision;
import io.faultline.chaos.engine.Fault;
import io.faultline.chaos.engine.RequestFacts;

/** The {@code HandshakeDelayFault} holds a connection's opening (a WebSocket upgrade) {@code handshake_delay_ms} before it goes upstream. */
public final class HandshakeDelayFault implements Fault {

  public static final String TYPE = "handshake_delay";

  private final Decision delay;

  public HandshakeDelayFault(long ms) {
    this.delay = Decision.delay(TYPE, ms);
  }

  @Override
  public Decision decide(RequestFacts request, ChaosRandom random) {
    // a WebSocket's upgrade only: a tcp connection is a connection too, and every database connection waited (README's
    // tcp section names the sections that act on one, and websocket is not among them)
    return request.shape() == RequestFacts.Shape.CONNECTION && WebSocketFault.PROTOCOL.equals(request.protocol()) ? delay : Decision.PASS;
  }
}
