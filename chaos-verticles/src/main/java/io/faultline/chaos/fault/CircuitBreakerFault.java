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

  public CircuitBreakerFault(CircuitBreaker breaker) {
    this.breaker = breaker;
    this.normal = new Decision.Guarded(new Observer(breaker, CircuitBreaker.Ticket.NORMAL));
  }

  @Override
  public Decision decide(RequestFacts request, ChaosRandom random) {
    CircuitBreaker.Ticket ticket = breaker.tryPass();
    return switch (ticket.pass()) {
      case REJECTED -> OPEN;
      case NORMAL -> normal;
      case PROBE -> new Decision.Guarded(new Observer(breaker, ticket)); // a probe is rare, and of its own half-open period
    };
  }

  /** Tells the breaker how an exchange it let through ended. */
  private static final class Observer implements Guard {
    private final CircuitBreaker breaker;
    private final CircuitBreaker.Ticket ticket;
    /** A probe settled by its connection's opening: its end tells the breaker nothing more. */
    private boolean settled;

    Observer(CircuitBreaker breaker, CircuitBreaker.Ticket ticket) {
      this.breaker = breaker;
      this.ticket = ticket;
    }

    /**
     * A half-open breaker's probe that opened a connection (a WebSocket's 101, a tcp connection's upstream) succeeded:
     * told at its end, a probe connection held the breaker half-open for as long as it stayed open (hours, for a pooled
     * database connection), every other connection refused meanwhile. The connections it lets through while closed are
     * told at their end, as before (one the upstream breaks off counts as a failure).
     */
    @Override
    public void opened() {
      if (ticket.pass() == CircuitBreaker.Pass.PROBE && !settled) {
        settled = true;
        breaker.onResult(ticket, false);
      }
    }

    @Override
    public void ended(Outcome outcome) {
      if (settled) {
        return;
      }
      if (outcome == Outcome.IGNORED) {
        breaker.onIgnored(ticket);
      } else {
        breaker.onResult(ticket, outcome == Outcome.FAILED);
      }
    }
  }
}
