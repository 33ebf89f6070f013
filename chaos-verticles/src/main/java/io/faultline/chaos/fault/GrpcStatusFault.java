package io.faultline.chaos.fault;

import io.faultline.chaos.engine.ChaosRandom;
import io.faultline.chaos.engine.Decision;
import io.faultline.chaos.engine.Fault;
import io.faultline.chaos.engine.RequestFacts;
import io.faultline.chaos.engine.Terminal;
import java.util.List;

/**
 * The {@code GrpcStatusFault} answers with one of {@code grpc_status_codes}, chosen uniformly, and
 * {@code grpc_status_message}; HTTP listeners answer the HTTP status each code maps to.
 */
public final class GrpcStatusFault implements Fault {

  public static final String TYPE = "grpc_status";

  private final Decision[] choices;

  public GrpcStatusFault(List<String> codes, String message) {
    String text = message != null ? message : "injected fault (Faultline)";
    this.choices = codes.stream().map(code -> new Terminal.Status(TYPE, code, text)).toArray(Decision[]::new);
  }

  @Override
  public Decision decide(RequestFacts request, ChaosRandom random) {
    return choices.length == 1 ? choices[0] : choices[random.nextInt(choices.length)];
  }
}
