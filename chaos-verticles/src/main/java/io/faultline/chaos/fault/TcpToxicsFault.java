package io.faultline.chaos.fault;

import io.faultline.chaos.config.TcpConfig;
import io.faultline.chaos.engine.ChaosRandom;
import io.faultline.chaos.engine.Decision;
import io.faultline.chaos.engine.Fault;
import io.faultline.chaos.engine.MessageFault;
import io.faultline.chaos.engine.RequestFacts;

/**
 * The {@code TcpToxicsFault} hands a tcp connection the toxics of the {@code tcp} section, with the seed
 * their toxicity is drawn from; the connection runs them on each direction's bytes. Exchanges on other
 * protocols pass.
 */
public final class TcpToxicsFault implements Fault {

  public static final String TYPE = "tcp";

  private final TcpConfig tcp;

  public TcpToxicsFault(TcpConfig tcp) {
    this.tcp = tcp;
  }

  @Override
  public Decision decide(RequestFacts request, ChaosRandom random) {
    return TYPE.equals(request.protocol()) ? new MessageFault.Toxics(tcp, random.nextLong()) : Decision.PASS;
  }
}
