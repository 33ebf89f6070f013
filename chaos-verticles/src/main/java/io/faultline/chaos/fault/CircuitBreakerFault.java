package io.faultline.chaos.fault;

import io.faultline.chaos.engine.ChaosRandom;
import io.faultline.chaos.engine.Decision;
import io.faultline.chaos.engine.Fault;
import io.faultline.chaos.engine.Guard;
import io.faultline.chaos.engine.Outcome;
import io.faultline.chaos.engine.RequestFacts;
import io.faultline.chaos.engine.Terminal;
import io.faultline.chaos.limit.CircuitBreaker;

/** The {@code CircuitBreakerFault} answers 503 at once while the simulated breaker is open and reports every outcome to it. */
public final class CircuitBreakerFault implements Fault {

  public static final String TYPE = "circuit_breaker";

  private static final Decision OPEN = new Terminal.BreakerOpen(TYPE);

  private final CircuitBreaker breaker;
  private final Decision normal;
  private final Decision probe;

  public CircuitBreakerFault(CircuitBreaker breaker) {
    this.breaker = breaker;
    this.normal = new Decision.Guarded(new Observer(breaker, CircuitBreaker.Pass.NORMAL));
    this.probe = new Decision.Guarded(new Observer(breaker, CircuitBreaker.Pass.PROBE));
  }

  @Override
  public Decision decide(RequestFacts request, ChaosRandom random) {
    return switch (breaker.tryPass()) {
      case REJECTED -> OPEN;
      case NORMAL -> normal;
      case PROBE -> probe;
    };
  }

  /** Tells the breaker how an exchange it let through ended. */
  private record Observer(CircuitBreaker breaker, CircuitBreaker.Pass pass) implements Guard {

    @Override
    public void ended(Outcome outcome) {
      if (outcome == Outcome.IGNORED) {
        breaker.onIgnored(pass);
      } else {
        breaker.onResult(pass, outcome == Outcome.FAILED);
      }
    }
  }
}
