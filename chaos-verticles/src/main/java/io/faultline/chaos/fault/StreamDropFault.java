package io.faultline.chaos.fault;

import io.faultline.chaos.engine.ChaosRandom;
import io.faultline.chaos.engine.Decision;
import io.faultline.chaos.engine.Fault;
import io.faultline.chaos.engine.RequestFacts;
import io.faultline.chaos.engine.Terminal;

/** The {@code StreamDropFault} drops a stream mid-way (an HTTP/2 reset; on HTTP/1 the response is cut at a random point). */
public final class StreamDropFault implements Fault {

  public static final String TYPE = "stream_drop";

  @Override
  public Decision decide(RequestFacts request, ChaosRandom random) {
    return new Terminal.Cut(TYPE, random.nextDouble());
  }
}
