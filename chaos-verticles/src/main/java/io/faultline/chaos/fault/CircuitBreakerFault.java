package io.faultline.chaos.fault;

import io.faultline.chaos.engine.ChaosRandom;
import io.faultline.chaos.engine.Decision;
import io.faultline.chaos.engine.Fault;
import io.faultline.chaos.engine.RequestFacts;
import io.faultline.chaos.limit.CircuitBreaker;

/** The {@code CircuitBreakerFault} answers 503 at once while the simulated breaker is open and reports every outcome to it. */
public final class CircuitBreakerFault implements Fault {

  public static final String TYPE = "circuit_breaker";

  private static final Decision OPEN = Decision.fail(TYPE, 503);

  private final CircuitBreaker breaker;
  private final Decision normal;
  private final Decision probe;

  public CircuitBreakerFault(CircuitBreaker breaker) {
    this.breaker = breaker;
    this.normal = new Decision.Observe(breaker, CircuitBreaker.Pass.NORMAL);
    this.probe = new Decision.Observe(breaker, CircuitBreaker.Pass.PROBE);
  }

  @Override
  public Decision decide(RequestFacts request, ChaosRandom random) {
    return switch (breaker.tryPass()) {
      case REJECTED -> OPEN;
      case NORMAL -> normal;
      case PROBE -> probe;
    };
  }
}
