package io.faultline.chaos.engine;

import java.util.Arrays;
import java.util.List;

/**
 * Everything the engine decided for one exchange, in the order the faults decided it: guards to hold,
 * a delay, then either a {@link Terminal} decision that ends the exchange or the modifiers it is
 * forwarded with (bandwidth, GraphQL field faults, per-message chaos). Built by one request on one
 * event loop and read-only afterwards; {@link #PASS} is the shared answer when nothing applies.
 */
public final class Verdict {

  private static final Guard[] NO_GUARDS = {};

  /** Nothing to do: the shared, allocation-free answer when chaos is off or no fault applies (after NO_GUARDS, which it uses). */
  public static final Verdict PASS = new Verdict();

  private Decision[] decisions = new Decision[4];
  private int size;
  private long delayMs;
  private long throttleBps;
  private List<Decision.FieldError> fieldErrors = List.of();
  private Guard[] guards = NO_GUARDS;
  private Terminal terminal;
  private MessagePlan messages = MessagePlan.NONE;

  Verdict() {
  }

  /** Adds one fault's decision; returns true when it ends the exchange and no further fault applies. */
  boolean add(Decision decision) {
    if (size == decisions.length) {
      decisions = Arrays.copyOf(decisions, size * 2);
    }
    decisions[size++] = decision;
    decision.accept(GATHER, this);
    return terminal != null;
  }

  /** Gathers each kind of decision into the verdict's totals. */
  private static final Decision.Visitor<Verdict> GATHER = new Decision.Visitor<>() {
    @Override
    public void delay(Verdict v, Decision.Delay delay) {
      v.delayMs += delay.ms();
    }

    @Override
    public void throttle(Verdict v, Decision.Throttle throttle) {
      v.throttleBps = v.throttleBps == 0 ? throttle.bytesPerSecond() : Math.min(v.throttleBps, throttle.bytesPerSecond());
    }

    @Override
    public void fieldFaults(Verdict v, Decision.FieldFaults faults) {
      v.delayMs += faults.delayMs();
      v.fieldErrors = faults.errors();
    }

    @Override
    public void guarded(Verdict v, Decision.Guarded guarded) {
      v.guards = Arrays.copyOf(v.guards, v.guards.length + 1);
      v.guards[v.guards.length - 1] = guarded.guard();
    }

    @Override
    public void terminal(Verdict v, Terminal decided) {
      v.terminal = decided;
    }

    @Override
    public void message(Verdict v, MessageFault fault) {
      v.messages = fault.addTo(v.messages);
    }
  };

  public boolean isPass() {
    return this == PASS;
  }

  /** How many decisions were taken, and each in turn: what the lifecycle counts. */
  public int size() {
    return size;
  }

  public Decision decision(int index) {
    return decisions[index];
  }

  /** The total delay before the exchange goes on (latency, handshake delay, GraphQL field delays). */
  public long delayMs() {
    return delayMs;
  }

  /** The tightest bandwidth limit decided, in bytes per second (0: none). */
  public long throttleBps() {
    return throttleBps;
  }

  /** GraphQL fields to null in the upstream's response, with their errors (empty for none). */
  public List<Decision.FieldError> fieldErrors() {
    return fieldErrors;
  }

  /** The limiters held for the exchange's length, in the order decided. */
  public int guards() {
    return guards.length;
  }

  public Guard guard(int index) {
    return guards[index];
  }

  /** The decision that ends the exchange, or null when it is forwarded. */
  public Terminal terminal() {
    return terminal;
  }

  /** The per-message chaos of the exchange's stream ({@link MessagePlan#NONE} for none). */
  public MessagePlan messages() {
    return messages;
  }
}
