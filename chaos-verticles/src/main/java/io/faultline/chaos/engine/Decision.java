package io.faultline.chaos.engine;

import java.util.List;

/**
 * What one fault decided for one exchange, in protocol-neutral terms. Three families end or shape an
 * exchange in their own way: {@link Terminal} decisions end it (each protocol translates every kind),
 * {@link MessageFault}s act on the messages of a stream, and a {@link Guarded} decision holds a limiter
 * for the exchange's length. The rest add to the exchange: a delay, a bandwidth limit, GraphQL field faults.
 * Each decision names the fault type it is counted as, and the lifecycle {@link Stage} at which it is.
 */
public sealed interface Decision permits Decision.Pass, Decision.Delay, Decision.Throttle, Decision.FieldFaults,
    Decision.Guarded, Terminal, MessageFault {

  Decision PASS = new Pass();

  /** When a decision takes effect in the exchange lifecycle, and so when it is counted as an injected fault. */
  enum Stage {
    /** While the exchange is held before going on. */
    DELAY,
    /** When the exchange is ended or forwarded. */
    ACT,
    /**
     * Never by the lifecycle: a guard counts only when it refuses, per-message chaos counts each message, field
     * faults that only null count when they did.
     */
    NONE
  }

  /** The fault type counted when this decision takes effect (a registered fault type name), or null for none. */
  String type();

  Stage stage();

  /** Hands this decision to the {@code visitor} method for its kind, with {@code target}. */
  <T> void accept(Visitor<T> visitor, T target);

  /** One method per kind of decision: a new kind does not compile until a verdict can hold it. */
  interface Visitor<T> {

    void delay(T target, Delay delay);

    void throttle(T target, Throttle throttle);

    void fieldFaults(T target, FieldFaults faults);

    void guarded(T target, Guarded guarded);

    void terminal(T target, Terminal terminal);

    void message(T target, MessageFault fault);
  }

  static Decision delay(String type, long ms) {
    return new Delay(type, ms);
  }

  /** Nothing to do. */
  record Pass() implements Decision {

    @Override
    public String type() {
      return null;
    }

    @Override
    public Stage stage() {
      return Stage.NONE;
    }

    @Override
    public <T> void accept(Visitor<T> visitor, T target) {
    }
  }

  /** Hold the exchange {@code ms} before going on. */
  record Delay(String type, long ms) implements Decision {

    @Override
    public Stage stage() {
      return Stage.DELAY;
    }

    @Override
    public <T> void accept(Visitor<T> visitor, T target) {
      visitor.delay(target, this);
    }
  }

  /** Pace request and response bodies (or frames, or messages) at {@code bytesPerSecond}. */
  record Throttle(String type, long bytesPerSecond) implements Decision {

    @Override
    public Stage stage() {
      return Stage.ACT;
    }

    @Override
    public <T> void accept(Visitor<T> visitor, T target) {
      visitor.throttle(target, this);
    }
  }

  /**
   * Hold a GraphQL operation {@code delayMs} longer, and null each field of {@code errors} in the upstream's data.
   * Counted as its delay begins when it delays, as latency is (counted as it was forwarded, a delay followed by an
   * injected error or a timeout was applied and never counted); one that only nulls fields counts when the answer had one
   * to null (a field skipped by {@code @skip}, or an answer with no {@code data}, leaves nothing to null).
   */
  record FieldFaults(String type, List<FieldError> errors, long delayMs) implements Decision {

    @Override
    public Stage stage() {
      return delayMs > 0 ? Stage.DELAY : Stage.NONE;
    }

    @Override
    public <T> void accept(Visitor<T> visitor, T target) {
      visitor.fieldFaults(target, this);
    }
  }

  /** One field nulled in a GraphQL response, with the error that says why. */
  record FieldError(String field, String message, String code) {
  }

  /** Hold {@code guard} for the length of the exchange: admitted first, released when it ends. */
  record Guarded(Guard guard) implements Decision {

    @Override
    public String type() {
      return null;
    }

    @Override
    public Stage stage() {
      return Stage.NONE;
    }

    @Override
    public <T> void accept(Visitor<T> visitor, T target) {
      visitor.guarded(target, this);
    }
  }
}
