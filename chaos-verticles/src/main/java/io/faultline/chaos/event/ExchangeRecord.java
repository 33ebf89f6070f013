package io.faultline.chaos.event;

import java.util.List;

/**
 * One finished exchange as the flight recorder keeps it: when it ended, where it came in, what it asked
 * for, what the client got, which faults touched it and how long it took. Built only for exchanges a
 * fault touched, and for those a listener chose as they started ({@link ChaosListener#samples()}),
 * so a gateway with no recorder allocates nothing for it.
 *
 * @param endedAtMs       wall-clock time the exchange ended (epoch milliseconds)
 * @param listener        the listener's configured name
 * @param protocol        {@code http}, {@code grpc}, {@code websocket}, {@code graphql} (or a later protocol's name)
 * @param route           the route's configured name, {@code default} for the listener's own upstream
 * @param method          the HTTP method ({@code POST} for gRPC, {@code GET} for a WebSocket upgrade)
 * @param path            the request path without its query; for gRPC {@code /package.Service/Method}
 * @param operation       the GraphQL operation name, or null
 * @param status          the HTTP status the client got (0 when it got none); for gRPC the gRPC status code
 * @param outcome         {@code 2xx}, {@code 3xx}, {@code 4xx}, {@code 5xx} or {@code dropped}, as {@link ChaosListener#requestCompleted}
 * @param faults          the fault types applied, in the order applied (empty for none)
 * @param durationNanos   from the request's arrival to its end
 * @param injectedDelayMs the delay chaos added before the request went on (0 for none)
 * @param traceId         the W3C trace id of the request ({@code traceparent}), or null
 */
public record ExchangeRecord(
    long endedAtMs,
    String listener,
    String protocol,
    String route,
    String method,
    String path,
    String operation,
    int status,
    String outcome,
    List<String> faults,
    long durationNanos,
    long injectedDelayMs,
    String traceId) {

  public ExchangeRecord {
    faults = faults == null ? List.of() : List.copyOf(faults);
  }

  /** True when at least one fault was applied. */
  public boolean faulted() {
    return !faults.isEmpty();
  }
}
