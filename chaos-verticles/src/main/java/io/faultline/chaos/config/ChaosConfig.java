package io.faultline.chaos.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The whole chaos configuration: the master switch, the seed, an optional predefined scenario to start
 * from, the global sections and the targeted rules. Immutable and validated on construction.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChaosConfig(
    Boolean enabled,
    Long seed,
    String scenario,
    LatencyConfig latency,
    FaultInjectionConfig faultInjection,
    RateLimitConfig rateLimit,
    TrafficShapingConfig trafficShaping,
    CircuitBreakerConfig circuitBreaker,
    BulkheadConfig bulkhead,
    WebSocketConfig websocket,
    GraphQlConfig graphql,
    List<ChaosRule> rules) implements ChaosSections {

  public ChaosConfig {
    enabled = Check.flag(enabled, false);
    rules = rules == null ? List.of() : List.copyOf(rules);
    Set<String> names = new HashSet<>();
    for (int i = 0; i < rules.size(); i++) {
      if (!names.add(rules.get(i).name())) {
        throw new ChaosConfigException("rules[" + i + "].name", "duplicate rule name " + rules.get(i).name());
      }
    }
  }

  /** Chaos off, nothing configured. */
  public static ChaosConfig off() {
    return new ChaosConfig(false, null, null, null, null, null, null, null, null, null, null, null);
  }

  public ChaosConfig withEnabled(boolean on) {
    return new ChaosConfig(on, seed, scenario, latency, faultInjection, rateLimit, trafficShaping, circuitBreaker, bulkhead, websocket, graphql, rules);
  }

  public ChaosConfig withScenario(String name) {
    return new ChaosConfig(enabled, seed, name, latency, faultInjection, rateLimit, trafficShaping, circuitBreaker, bulkhead, websocket, graphql, rules);
  }

  public ChaosConfig withSeed(Long newSeed) {
    return new ChaosConfig(enabled, newSeed, scenario, latency, faultInjection, rateLimit, trafficShaping, circuitBreaker, bulkhead, websocket, graphql, rules);
  }

  public ChaosConfig withRules(List<ChaosRule> newRules) {
    return new ChaosConfig(enabled, seed, scenario, latency, faultInjection, rateLimit, trafficShaping, circuitBreaker, bulkhead, websocket, graphql, newRules);
  }

  /** The same config with the sections of {@code other} that are set laid over this one's. */
  public ChaosConfig overlay(ChaosSections other) {
    return new ChaosConfig(enabled, seed, scenario,
        other.latency() != null ? other.latency() : latency,
        other.faultInjection() != null ? other.faultInjection() : faultInjection,
        other.rateLimit() != null ? other.rateLimit() : rateLimit,
        other.trafficShaping() != null ? other.trafficShaping() : trafficShaping,
        other.circuitBreaker() != null ? other.circuitBreaker() : circuitBreaker,
        other.bulkhead() != null ? other.bulkhead() : bulkhead,
        other.websocket() != null ? other.websocket() : websocket,
        other.graphql() != null ? other.graphql() : graphql,
        rules);
  }

  /** The same config with one section replaced; {@code section} is one of {@link ChaosSections#NAMES}. */
  public ChaosConfig withSection(String section, Object value) {
    return switch (section) {
      case "latency" -> new ChaosConfig(enabled, seed, scenario, (LatencyConfig) value, faultInjection, rateLimit, trafficShaping, circuitBreaker, bulkhead, websocket, graphql, rules);
      case "fault_injection" -> new ChaosConfig(enabled, seed, scenario, latency, (FaultInjectionConfig) value, rateLimit, trafficShaping, circuitBreaker, bulkhead, websocket, graphql, rules);
      case "rate_limit" -> new ChaosConfig(enabled, seed, scenario, latency, faultInjection, (RateLimitConfig) value, trafficShaping, circuitBreaker, bulkhead, websocket, graphql, rules);
      case "traffic_shaping" -> new ChaosConfig(enabled, seed, scenario, latency, faultInjection, rateLimit, (TrafficShapingConfig) value, circuitBreaker, bulkhead, websocket, graphql, rules);
      case "circuit_breaker" -> new ChaosConfig(enabled, seed, scenario, latency, faultInjection, rateLimit, trafficShaping, (CircuitBreakerConfig) value, bulkhead, websocket, graphql, rules);
      case "bulkhead" -> new ChaosConfig(enabled, seed, scenario, latency, faultInjection, rateLimit, trafficShaping, circuitBreaker, (BulkheadConfig) value, websocket, graphql, rules);
      case "websocket" -> new ChaosConfig(enabled, seed, scenario, latency, faultInjection, rateLimit, trafficShaping, circuitBreaker, bulkhead, (WebSocketConfig) value, graphql, rules);
      case "graphql" -> new ChaosConfig(enabled, seed, scenario, latency, faultInjection, rateLimit, trafficShaping, circuitBreaker, bulkhead, websocket, (GraphQlConfig) value, rules);
      default -> throw new ChaosConfigException("section", "unknown section " + section + ", expected one of " + NAMES);
    };
  }

  public ChaosConfig withRule(ChaosRule rule) {
    List<ChaosRule> next = new ArrayList<>(rules);
    next.removeIf(r -> r.name().equals(rule.name()));
    next.add(rule);
    return withRules(next);
  }
}
