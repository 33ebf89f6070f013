package io.faultline.chaos.fault;

import io.faultline.chaos.engine.ChaosRandom;
import io.faultline.chaos.engine.Decision;
import io.faultline.chaos.engine.Fault;
import io.faultline.chaos.engine.RequestFacts;

/**
 * The {@code BandwidthFault} paces request and response bodies (messages, frames) at {@code bandwidth_limit_bps} bytes per
 * second. Not a GraphQL operation over WebSocket (a subscription's events), which its relay passes as they come: counted
 * there, it said a subscription was throttled that was not.
 */
public final class BandwidthFault implements Fault {

  public static final String TYPE = "bandwidth";

  private final Decision decision;

  public BandwidthFault(long bytesPerSecond) {
    this.decision = new Decision.Throttle(TYPE, bytesPerSecond);
  }

  @Override
  public Decision decide(RequestFacts request, ChaosRandom random) {
    boolean overWebSocket = "graphql".equals(request.protocol()) && "websocket".equalsIgnoreCase(request.header("upgrade"));
    return overWebSocket ? Decision.PASS : decision;
  }
}
