package io.faultline.orchestration.model;

import java.util.List;

/** The metric names conditions and assertions can use, measured from the traffic through the node. */
public final class MetricNames {

  /**
   * Per step (and, for global assertions, over the whole run): {@code request_count},
   * {@code error_count}, {@code error_rate} (5xx and dropped over all), {@code fault_count},
   * {@code avg_latency}, {@code p50_latency}, {@code p95_latency}, {@code p99_latency} (ms); over the
   * run also {@code max_error_rate}, {@code max_avg_latency}, {@code max_p99_latency} (the worst step).
   */
  public static final List<String> NAMES = List.of("request_count", "error_count", "error_rate", "fault_count",
      "avg_latency", "p50_latency", "p95_latency", "p99_latency", "max_error_rate", "max_avg_latency", "max_p99_latency");

  /** The event-bus address a node answers with what its traffic saw in a window: {@code {"from": ms, "to": ms}}. */
  public static final String WINDOW_ADDRESS = "faultline.metrics.window";

  private MetricNames() {
  }
}
