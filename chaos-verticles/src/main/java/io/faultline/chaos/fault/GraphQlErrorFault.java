package io.faultline.chaos.fault;

import io.faultline.chaos.config.GraphQlConfig;
import io.faultline.chaos.engine.ChaosRandom;
import io.faultline.chaos.engine.Decision;
import io.faultline.chaos.engine.Fault;
import io.faultline.chaos.engine.RequestFacts;
import io.faultline.chaos.engine.Terminal;

/** The {@code GraphQlErrorFault} answers a parsed GraphQL operation with an {@code errors} array instead of calling the upstream. */
public final class GraphQlErrorFault implements Fault {

  public static final String TYPE = "graphql_error";

  private final Terminal.GraphQlError error;

  public GraphQlErrorFault(GraphQlConfig config) {
    this.error = new Terminal.GraphQlError(TYPE, config.errorMessage(), config.errorCode(), config.errorStatus());
  }

  @Override
  public Decision decide(RequestFacts request, ChaosRandom random) {
    return request.operation() == null ? Decision.PASS : error;
  }
}
