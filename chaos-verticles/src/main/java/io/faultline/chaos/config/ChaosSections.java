package io.faultline.chaos.config;

import java.util.List;

/**
 * What the global config, rules and listener overrides have in common: the {@link Sections} they set.
 * A section that is {@code null} is not set: in a rule it is inherited from the global config. The
 * typed accessors are shorthands for {@code sections().get(Sections.X)}.
 */
public interface ChaosSections {

  /** Section names as they appear in config files, the REST paths and {@code faultline.chaos.set}. */
  List<String> NAMES = Sections.names();

  SectionValues sections();

  default <T> T section(Section<T> section) {
    return sections().get(section);
  }

  default LatencyConfig latency() {
    return section(Sections.LATENCY);
  }

  default FaultInjectionConfig faultInjection() {
    return section(Sections.FAULT_INJECTION);
  }

  default RateLimitConfig rateLimit() {
    return section(Sections.RATE_LIMIT);
  }

  default TrafficShapingConfig trafficShaping() {
    return section(Sections.TRAFFIC_SHAPING);
  }

  default CircuitBreakerConfig circuitBreaker() {
    return section(Sections.CIRCUIT_BREAKER);
  }

  default BulkheadConfig bulkhead() {
    return section(Sections.BULKHEAD);
  }

  default WebSocketConfig websocket() {
    return section(Sections.WEBSOCKET);
  }

  default GraphQlConfig graphql() {
    return section(Sections.GRAPHQL);
  }

  default TcpConfig tcp() {
    return section(Sections.TCP);
  }
}
