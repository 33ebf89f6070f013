package io.faultline.gateway.metrics;

import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.state.ChaosState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Binds the protocols' {@link ChaosListener} events to Micrometer meters in a Prometheus registry.
 * Meters are resolved once per label set and cached, so a request costs a map lookup and an add.
 * Labels are configured names only (listener, route, fault type, outcome class), so cardinality is bounded.
 */
public final class ChaosMeterBinder implements ChaosListener {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ConcurrentHashMap<List<String>, Counter> requests = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<List<String>, Timer> durations = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<List<String>, Counter> faults = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<List<String>, Timer> latencies = new ConcurrentHashMap<>();

  public ChaosMeterBinder(ChaosState state) {
    Gauge.builder(MetricNames.CHAOS_ENABLED, state, s -> s.snapshot().config().enabled() ? 1 : 0)
        .description("1 when chaos is enabled on this node").register(registry);
    Gauge.builder(MetricNames.CONFIG_VERSION, state, s -> s.snapshot().version())
        .description("version of the active chaos config").register(registry);
  }

  /** The registry, for meters bound elsewhere ({@link ControlPlaneMeters}). */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void requestCompleted(String listener, String protocol, String route, String outcome, long durationNanos) {
    requests.computeIfAbsent(List.of(listener, protocol, route, outcome), k -> Counter.builder(MetricNames.REQUESTS)
        .description("requests answered or lost, by outcome")
        .tags("listener", listener, "protocol", protocol, "route", route, "outcome", outcome)
        .register(registry)).increment();
    if (!outcome.equals("dropped")) {
      durations.computeIfAbsent(List.of(listener, protocol, route), k -> histogram(MetricNames.REQUEST_DURATION,
          "time until the response starts, injected delays included", listener, protocol, route))
          .record(durationNanos, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void faultInjected(String listener, String protocol, String route, String type) {
    faults.computeIfAbsent(List.of(listener, protocol, route, type), k -> Counter.builder(MetricNames.FAULTS_INJECTED)
        .description("faults applied to requests, by fault type")
        .tags("listener", listener, "protocol", protocol, "route", route, "type", type)
        .register(registry)).increment();
  }

  @Override
  public void latencyInjected(String listener, String protocol, String route, long delayMs) {
    latencies.computeIfAbsent(List.of(listener, protocol, route), k -> histogram(MetricNames.INJECTED_LATENCY,
        "delay injected before requests went upstream", listener, protocol, route)).record(delayMs, TimeUnit.MILLISECONDS);
  }

  /** A timer exported as a Prometheus histogram with buckets from 1 ms to 60 s. */
  private Timer histogram(String name, String description, String listener, String protocol, String route) {
    return Timer.builder(name)
        .description(description)
        .tags("listener", listener, "protocol", protocol, "route", route)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(60))
        .register(registry);
  }
}
