package io.faultline.chaos.config;

/**
 * The fault sections shared by the global config and by rules. A section that is {@code null} is
 * not set: in a rule it is inherited from the global config.
 */
public interface ChaosSections {

  LatencyConfig latency();

  FaultInjectionConfig faultInjection();

  RateLimitConfig rateLimit();

  TrafficShapingConfig trafficShaping();

  CircuitBreakerConfig circuitBreaker();

  BulkheadConfig bulkhead();

  WebSocketConfig websocket();

  GraphQlConfig graphql();

  /** Section names as they appear in config files, the REST paths and {@code faultline.chaos.set}. */
  java.util.List<String> NAMES = java.util.List.of(
      "latency", "fault_injection", "rate_limit", "traffic_shaping", "circuit_breaker", "bulkhead", "websocket", "graphql");
}
