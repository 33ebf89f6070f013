package io.faultline.chaos.fault;

import io.faultline.chaos.config.GraphQlConfig;
import io.faultline.chaos.engine.ChaosRandom;
import io.faultline.chaos.engine.Decision;
import io.faultline.chaos.engine.Fault;
import io.faultline.chaos.engine.OperationFacts;
import io.faultline.chaos.engine.RequestFacts;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code GraphQlFieldFault} acts on the field faults whose field the operation selects: their
 * delays add up, and each rolls its {@code error_probability} to have the field nulled with an error.
 */
public final class GraphQlFieldFault implements Fault {

  public static final String TYPE = "graphql_field";

  private final List<GraphQlConfig.FieldFault> faults;

  public GraphQlFieldFault(List<GraphQlConfig.FieldFault> faults) {
    this.faults = faults;
  }

  @Override
  public Decision decide(RequestFacts request, ChaosRandom random) {
    OperationFacts operation = request.operation();
    if (operation == null) {
      return Decision.PASS;
    }
    long delay = 0;
    List<Decision.FieldError> errors = new ArrayList<>();
    for (GraphQlConfig.FieldFault fault : faults) {
      if (operation.selects(fault.field())) {
        delay += fault.delayMs();
        if (random.chance(fault.errorProbability())) {
          errors.add(new Decision.FieldError(fault.field(), fault.message(), fault.code()));
        }
      }
    }
    return delay == 0 && errors.isEmpty() ? Decision.PASS : new Decision.FieldFaults(TYPE, List.copyOf(errors), delay);
  }
}
