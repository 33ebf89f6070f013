package io.faultline.orchestration;

import io.faultline.orchestration.model.MetricNames;
import java.util.List;

/** The metric names conditions and assertions can use, and where a node answers them for a window of its traffic. */
public final class Metrics {

  /** See {@link MetricNames#NAMES}. */
  public static final List<String> NAMES = MetricNames.NAMES;

  /** The event-bus address a node answers with what its traffic saw in a window: {@code {"from": ms, "to": ms}}. */
  public static final String WINDOW_ADDRESS = MetricNames.WINDOW_ADDRESS;

  private Metrics() {
  }
}
