package io.faultline.chaos.fault;

import io.faultline.chaos.engine.ChaosRandom;
import io.faultline.chaos.engine.Decision;
import io.faultline.chaos.engine.Fault;
import io.faultline.chaos.engine.RequestFacts;

/** The {@code BandwidthFault} paces request and response bodies (messages, frames) at {@code bandwidth_limit_bps} bytes per second. */
public final class BandwidthFault implements Fault {

  public static final String TYPE = "bandwidth";

  private final Decision decision;

  public BandwidthFault(long bytesPerSecond) {
    this.decision = new Decision.Throttle(TYPE, bytesPerSecond);
  }

  @Override
  public Decision decide(RequestFacts request, ChaosRandom random) {
    return decision;
  }
}
