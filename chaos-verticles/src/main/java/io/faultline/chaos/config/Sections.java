package io.faultline.chaos.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every config section, in one place. A new section is its record and one line here: the global
 * config, rules, listener overrides, JSON/YAML reading and writing, {@code /api/chaos/config/NAME},
 * {@code faultline.chaos.set} and the stateful parts all work from this list.
 */
public final class Sections {

  private static final List<Section<?>> REGISTERED = new ArrayList<>();

  public static final Section<LatencyConfig> LATENCY = register("latency", LatencyConfig.class);
  public static final Section<FaultInjectionConfig> FAULT_INJECTION = register("fault_injection", FaultInjectionConfig.class);
  public static final Section<RateLimitConfig> RATE_LIMIT = register("rate_limit", RateLimitConfig.class);
  public static final Section<TrafficShapingConfig> TRAFFIC_SHAPING = register("traffic_shaping", TrafficShapingConfig.class);
  public static final Section<CircuitBreakerConfig> CIRCUIT_BREAKER = register("circuit_breaker", CircuitBreakerConfig.class);
  public static final Section<BulkheadConfig> BULKHEAD = register("bulkhead", BulkheadConfig.class);
  public static final Section<WebSocketConfig> WEBSOCKET = register("websocket", WebSocketConfig.class);
  public static final Section<GraphQlConfig> GRAPHQL = register("graphql", GraphQlConfig.class);
  public static final Section<TcpConfig> TCP = register("tcp", TcpConfig.class);

  private static final List<Section<?>> ALL = List.copyOf(REGISTERED);
  private static final List<String> NAMES = ALL.stream().map(Section::name).toList();
  private static final Map<String, Section<?>> BY_NAME = ALL.stream().collect(Collectors.toUnmodifiableMap(Section::name, Function.identity()));

  private Sections() {
  }

  private static <T> Section<T> register(String name, Class<T> type) {
    return register(name, type, Section.replacing());
  }

  private static <T> Section<T> register(String name, Class<T> type, BinaryOperator<T> merge) {
    Section<T> section = new Section<>(name, type, merge, REGISTERED.size());
    REGISTERED.add(section);
    return section;
  }

  /** Every section, in registration order. */
  public static List<Section<?>> all() {
    return ALL;
  }

  /** Section names as they appear in config files, the REST paths and {@code faultline.chaos.set}. */
  public static List<String> names() {
    return NAMES;
  }

  /** The section called {@code name}; an unknown name is refused naming the field {@code section}. */
  public static Section<?> byName(String name) {
    Section<?> section = name == null ? null : BY_NAME.get(name);
    if (section == null) {
      throw new ChaosConfigException("section", "unknown section " + name + ", expected one of " + NAMES);
    }
    return section;
  }

  /** The section called {@code name}, or null. */
  static Section<?> find(String name) {
    return BY_NAME.get(name);
  }
}
