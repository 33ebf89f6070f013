package io.faultline.gateway.metrics;

/** Every Faultline meter name, in Micrometer's dotted form; the Prometheus registry renders them with underscores and units. */
public final class MetricNames {

  /** {@code faultline_requests_total{listener, protocol, route, outcome}}. */
  public static final String REQUESTS = "faultline.requests";
  /** {@code faultline_request_duration_seconds{listener, protocol, route}}: until the response starts. */
  public static final String REQUEST_DURATION = "faultline.request.duration";
  /** {@code faultline_faults_injected_total{listener, protocol, route, type}}. */
  public static final String FAULTS_INJECTED = "faultline.faults.injected";
  /** {@code faultline_injected_latency_seconds{listener, protocol, route}}. */
  public static final String INJECTED_LATENCY = "faultline.injected.latency";
  /** {@code faultline_chaos_enabled}: 1 when chaos is on. */
  public static final String CHAOS_ENABLED = "faultline.chaos.enabled";
  /** {@code faultline_chaos_config_version}: the version of the active chaos config. */
  public static final String CONFIG_VERSION = "faultline.chaos.config.version";

  /** {@code faultline_rate_limit_violations_total{listener, protocol, route}}: requests a rate limit refused. */
  public static final String RATE_LIMIT_VIOLATIONS = "faultline.rate.limit.violations";
  /** {@code faultline_circuit_breaker_state{scope, rule, state}}: 1 for each simulated breaker's state (closed, open, half_open). */
  public static final String CIRCUIT_BREAKER_STATE = "faultline.circuit.breaker.state";
  /** {@code faultline_bulkhead_active_requests{scope, rule}}: requests holding a simulated bulkhead's permit. */
  public static final String BULKHEAD_ACTIVE = "faultline.bulkhead.active";
  /** {@code faultline_bulkhead_queued_requests{scope, rule}}: requests waiting for one. */
  public static final String BULKHEAD_QUEUED = "faultline.bulkhead.queued";
  /** {@code faultline_bulkhead_capacity_requests{scope, rule}}: its max_concurrent_requests. */
  public static final String BULKHEAD_CAPACITY = "faultline.bulkhead.capacity";

  /** {@code faultline_history_dropped_total{kind}}: history records dropped because a write queue was full or their write failed for good. */
  public static final String HISTORY_DROPPED = "faultline.history.dropped";
  /** {@code faultline_anomalies_total{type}}: anomalies the live detector flagged. */
  public static final String ANOMALIES = "faultline.anomalies";
  /** {@code faultline_health_score}: the node's health, 0..100. */
  public static final String HEALTH_SCORE = "faultline.health.score";

  private MetricNames() {
  }
}
