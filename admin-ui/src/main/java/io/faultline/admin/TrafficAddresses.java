package io.faultline.admin;

/**
 * The event-bus addresses of a node's live traffic summary: the gateway publishes it once a second,
 * the console charts it (over the GraphQL {@code traffic} subscription and {@code GET /api/traffic/recent}).
 */
public final class TrafficAddresses {

  /**
   * Published once a second, to this node only: {@code {at, interval_ms, request_metrics, listeners:
   * [{name, protocol, port, upstream, requests, requests_per_second, errors, error_rate, faults: {TYPE: n},
   * p50_ms, p99_ms}]}} for the second that ended at {@code at}.
   */
  public static final String SUMMARY = "faultline.traffic.summary";

  /** Answered by the node: {@code {"seconds": N}} (1..300, default 120) gives {@code {"summaries": [...]}}, oldest first. */
  public static final String RECENT = "faultline.traffic.recent";

  private TrafficAddresses() {
  }
}
