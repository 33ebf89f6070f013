package io.faultline.chaos.config;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A listener's own chaos sections; they become the rule {@code listener:NAME} matching all its traffic. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChaosOverride(
    Boolean enabled,
    LatencyConfig latency,
    FaultInjectionConfig faultInjection,
    RateLimitConfig rateLimit,
    TrafficShapingConfig trafficShaping,
    CircuitBreakerConfig circuitBreaker,
    BulkheadConfig bulkhead,
    WebSocketConfig websocket,
    GraphQlConfig graphql) implements ChaosSections {

  public ChaosRule toRule(String listener) {
    return new ChaosRule("listener:" + listener, enabled,
        new RuleMatch(listener, null, null, null, null, null, null, null, null, null, null, null, null),
        latency, faultInjection, rateLimit, trafficShaping, circuitBreaker, bulkhead, websocket, graphql);
  }
}
