package io.faultline.chaos.fault;

import io.faultline.chaos.engine.ChaosRandom;
import io.faultline.chaos.engine.Decision;
import io.faultline.chaos.engine.Fault;
import io.faultline.chaos.engine.RequestFacts;
import io.faultline.chaos.engine.Terminal;

/**
 * The {@code PacketLossFault} loses the connection mid-transfer: the response is cut at a uniformly
 * drawn point of its body and the connection closed. It applies to {@code packet_loss_percent} of requests,
 * not to tcp connections: a byte stream has no response to cut, and a global {@code network_degradation}
 * meant for HTTP reset that share of database connections as they opened (their own toxics,
 * {@code limit_data} and {@code reset_peer}, cut them mid-transfer).
 */
public final class PacketLossFault implements Fault {

  public static final String TYPE = "packet_loss";

  @Override
  public Decision decide(RequestFacts request, ChaosRandom random) {
    if ("tcp".equals(request.protocol())) {
      return Decision.PASS;
    }
    return new Terminal.Cut(TYPE, random.nextDouble());
  }
}
