package io.faultline.chaos.config;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Chaos that applies only to traffic matching {@link #match()}. Sections the rule sets replace the
 * global ones for that traffic; sections it leaves out are inherited. The first matching rule wins.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChaosRule(
    String name,
    Boolean enabled,
    RuleMatch match,
    LatencyConfig latency,
    FaultInjectionConfig faultInjection,
    RateLimitConfig rateLimit,
    TrafficShapingConfig trafficShaping,
    CircuitBreakerConfig circuitBreaker,
    BulkheadConfig bulkhead,
    WebSocketConfig websocket,
    GraphQlConfig graphql) implements ChaosSections {

  public ChaosRule {
    if (name == null || name.isBlank()) {
      throw new ChaosConfigException("name", "is required");
    }
    enabled = Check.flag(enabled, true);
    match = match == null ? RuleMatch.any() : match;
  }
}
