package io.faultline.orchestration.model;

import java.util.List;
import java.util.Map;

/** The metric names conditions and assertions can use, measured from the traffic through the node. */
public final class MetricNames {

  /**
   * Per step (and, for global assertions, over the whole run): {@code request_count},
   * {@code error_count}, {@code error_rate} (5xx and dropped over all), {@code fault_count},
   * {@code avg_latency}, {@code p50_latency}, {@code p95_latency}, {@code p99_latency} (ms); over the
   * run also {@code max_error_rate}, {@code max_avg_latency}, {@code max_p99_latency} (the worst step).
   */
  /** The metrics a window without requests has no value for (null). */
  public static final List<String> MEASURED = List.of("error_rate", "avg_latency", "p50_latency", "p95_latency", "p99_latency");

  public static final List<String> NAMES = List.of("request_count", "error_count", "error_rate", "fault_count", "faulted_count",
      "affected_count",
      "avg_latency", "p50_latency", "p95_latency", "p99_latency", "max_error_rate", "max_avg_latency", "max_p99_latency");

  /** The metrics measured over a whole run (the worst step's): only global assertions have them. */
  public static final List<String> RUN_WIDE = List.of("max_error_rate", "max_avg_latency", "max_p99_latency");

  /** Reference 004's names for the same metrics ({@code latency_p99} in its assertion example), accepted everywhere a name is. */
  public static final Map<String, String> ALIASES = Map.of("latency_p50", "p50_latency", "latency_p95", "p95_latency",
      "latency_p99", "p99_latency", "max_latency_p99", "max_p99_latency");

  /** The event-bus address a node answers with what its traffic saw in a window: {@code {"from": ms, "to": ms}}. */
  public static final String WINDOW_ADDRESS = "faultline.metrics.window";

  private MetricNames() {
  }

  /** Whether {@code name} is a metric name or an alias of one. */
  public static boolean known(String name) {
    return NAMES.contains(name) || ALIASES.containsKey(name);
  }

  /** The metric {@code name} stands for (itself unless it is an alias). */
  public static String canonical(String name) {
    return ALIASES.getOrDefault(name, name);
  }
}
