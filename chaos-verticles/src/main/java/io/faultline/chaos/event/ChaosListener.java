package io.faultline.chaos.event;

/**
 * What the protocols report about traffic and chaos, for metrics bound from outside (the gateway binds
 * it to Micrometer). Every value passed is bounded: listener and route are configured names (a route is
 * {@code "default"} for the listener's own upstream), never raw paths. Implementations must be cheap
 * and non-blocking: they run on the event loop of every request.
 */
public interface ChaosListener {

  /** Reports nothing. */
  ChaosListener NOOP = new ChaosListener() {
  };

  /**
   * A request was answered (or lost). {@code outcome} is one of {@code 2xx}, {@code 3xx}, {@code 4xx},
   * {@code 5xx} (HTTP status class, for gRPC the HTTP status the gRPC status maps to) or {@code dropped}
   * (the connection or stream was closed without a complete answer).
   */
  default void requestCompleted(String listener, String protocol, String route, String outcome, long durationNanos) {
  }

  /** A fault of {@code type} (a registered fault type name) was applied to a request. */
  default void faultInjected(String listener, String protocol, String route, String type) {
  }

  /** A request was delayed by {@code delayMs} before going upstream. */
  default void latencyInjected(String listener, String protocol, String route, long delayMs) {
  }

  /**
   * An exchange ended; called after {@link #requestCompleted} for every exchange a fault touched, and for
   * every exchange {@link #samples()} chose at its start. For the flight recorder: implementations
   * hand the record to a bounded queue and return, never waiting.
   */
  default void exchangeCompleted(ExchangeRecord record) {
  }

  /**
   * Listener {@code listener} was removed (its port closed, its connections ended): what was kept for it (its
   * metric series) may go. A listener added later under the name starts afresh.
   */
  default void listenerRemoved(String listener) {
  }

  /**
   * True when {@link #exchangeCompleted} wants the exchange that is starting even if no fault touches it (the
   * recorder's sampling). Asked once per exchange, at its start, on the request path: an exchange no listener
   * chose, and chaos leaves alone, takes the listener's plain path, as with no recorder at all.
   */
  default boolean samples() {
    return false;
  }

  /** The outcome label for an HTTP status. */
  static String outcome(int status) {
    return switch (status / 100) {
      case 1, 2 -> "2xx";
      case 3 -> "3xx";
      case 4 -> "4xx";
      default -> "5xx";
    };
  }
}
