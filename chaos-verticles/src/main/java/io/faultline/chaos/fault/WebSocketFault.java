package io.faultline.chaos.fault;

import io.faultline.chaos.config.LatencyConfig;
import io.faultline.chaos.config.WebSocketConfig;
import io.faultline.chaos.engine.ChaosRandom;
import io.faultline.chaos.engine.Decision;
import io.faultline.chaos.engine.Fault;
import io.faultline.chaos.engine.MessageFault;
import io.faultline.chaos.engine.RequestFacts;

/**
 * The {@code WebSocketFault} hands a WebSocket connection its per-message chaos: the {@code websocket}
 * section's message and connection faults and, since a WebSocket's "request" is each message, the
 * {@code latency} section applied per message. Exchanges that are no connection pass.
 */
public final class WebSocketFault implements Fault {

  public static final String TYPE = "websocket";

  /** The protocol whose connections carry messages this section acts on. */
  static final String PROTOCOL = "websocket";

  private final WebSocketConfig websocket;
  private final LatencyConfig latency;

  /** {@code websocket} and {@code latency} may each be null (not set or not active). */
  public WebSocketFault(WebSocketConfig websocket, LatencyConfig latency) {
    this.websocket = websocket;
    this.latency = latency;
  }

  @Override
  public Decision decide(RequestFacts request, ChaosRandom random) {
    if (request.shape() != RequestFacts.Shape.CONNECTION || !PROTOCOL.equals(request.protocol())) {
      return Decision.PASS; // a tcp connection carries bytes, no messages
    }
    return new MessageFault.Fates(websocket, latency, random.nextLong());
  }
}
