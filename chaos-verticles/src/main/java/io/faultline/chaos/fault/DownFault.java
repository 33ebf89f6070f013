package io.faultline.chaos.fault;

import io.faultline.chaos.engine.ChaosRandom;
import io.faultline.chaos.engine.Decision;
import io.faultline.chaos.engine.Fault;
import io.faultline.chaos.engine.RequestFacts;
import io.faultline.chaos.engine.Terminal;

/**
 * The {@code DownFault} resets a tcp connection as it arrives while its listener is {@code down}. The
 * listener stops listening when it goes down, so this only meets the connections accepted meanwhile.
 * Exchanges on other protocols pass.
 */
public final class DownFault implements Fault {

  public static final String TYPE = "down";

  private static final Decision RESET = new Terminal.Reset(TYPE);

  @Override
  public Decision decide(RequestFacts request, ChaosRandom random) {
    return TcpToxicsFault.TYPE.equals(request.protocol()) ? RESET : Decision.PASS;
  }
}
