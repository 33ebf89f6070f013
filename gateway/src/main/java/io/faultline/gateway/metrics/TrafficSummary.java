package io.faultline.gateway.metrics;

import io.faultline.chaos.config.ListenerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * What each listener's traffic did since the last call, read from the request meters that
 * {@link ChaosMeterBinder} keeps: requests per second, errors (5xx and dropped) and their rate, faults
 * injected by type, and p50/p99 of the time to the response's start. It only reads the registry (at
 * the caller's pace, once a second), so the request path pays nothing for it. Not thread-safe: one
 * caller at a time.
 */
public final class TrafficSummary {

  /** A traffic listener as the console shows it. {@code upstream} says where its requests go. */
  public record Listener(String name, String protocol, int port, String upstream) {

    /** A configured listener on the port it bound. */
    public static Listener of(ListenerConfig config, int port) {
      String upstream = config.upstream() != null ? config.upstream()
          : config.routes().isEmpty() ? "built-in mock upstream" : "routes only";
      return new Listener(config.name(), config.protocol(), port,
          config.routes().isEmpty() ? upstream : upstream + " (+" + config.routes().size() + " routes)");
    }
  }

  private final MeterRegistry registry;
  private final java.util.function.Supplier<List<Listener>> listeners;
  private final boolean requestMetrics;
  /**
   * By meter, not by its id: a listener removed and added again under its name has meters of equal ids, and their counts
   * start again from 0 (taken for the old ones, its first requests were lost).
   */
  private final Map<Meter, Double> lastCounts = new java.util.IdentityHashMap<>();
  private final Map<Meter, CountAtBucket[]> lastBuckets = new java.util.IdentityHashMap<>();
  private long lastAt;

  /** {@code requestMetrics} false: the node does not count requests ({@code metrics.requests: false}), so all is zero. */
  public TrafficSummary(MeterRegistry registry, List<Listener> listeners, boolean requestMetrics, long nowMs) {
    this(registry, fixed(listeners), requestMetrics, nowMs);
  }

  private static java.util.function.Supplier<List<Listener>> fixed(List<Listener> listeners) {
    List<Listener> copy = List.copyOf(listeners);
    return () -> copy;
  }

  /** {@code listeners} is asked at each summary: listeners come and go while a node runs. */
  public TrafficSummary(MeterRegistry registry, java.util.function.Supplier<List<Listener>> listeners, boolean requestMetrics,
      long nowMs) {
    this.registry = registry;
    this.listeners = listeners;
    this.requestMetrics = requestMetrics;
    this.lastAt = nowMs;
  }

  /**
   * {@code {at, interval_ms, request_metrics, listeners: [{name, protocol, port, upstream, requests,
   * requests_per_second, errors, error_rate, faults: {TYPE: count}, p50_ms, p99_ms}]}} for the time
   * since the previous call (p50_ms and p99_ms are null when no request ended).
   */
  public JsonObject next(long nowMs) {
    long interval = Math.max(1, nowMs - lastAt);
    lastAt = nowMs;
    Map<String, double[]> requests = new HashMap<>();
    for (Counter counter : registry.find(MetricNames.REQUESTS).counters()) {
      double delta = delta(counter, counter.count());
      double[] sums = requests.computeIfAbsent(counter.getId().getTag("listener"), k -> new double[2]);
      sums[0] += delta;
      String outcome = counter.getId().getTag("outcome");
      if ("5xx".equals(outcome) || "dropped".equals(outcome)) {
        sums[1] += delta;
      }
    }
    Map<String, Map<String, Double>> faults = new HashMap<>();
    for (Counter counter : registry.find(MetricNames.FAULTS_INJECTED).counters()) {
      double delta = delta(counter, counter.count());
      if (delta > 0) {
        faults.computeIfAbsent(counter.getId().getTag("listener"), k -> new TreeMap<>())
            .merge(counter.getId().getTag("type"), delta, Double::sum);
      }
    }
    Map<String, BucketPercentiles> durations = new HashMap<>();
    for (Timer timer : registry.find(MetricNames.REQUEST_DURATION).timers()) {
      io.micrometer.core.instrument.distribution.HistogramSnapshot snapshot = timer.takeSnapshot();
      CountAtBucket[] now = snapshot.histogramCounts();
      CountAtBucket[] before = lastBuckets.put(timer, now);
      double observed = delta(timer, snapshot.count()); // beyond the buckets too (slower than the last bound)
      // only while the timer saw one that slow lately: a snapshot reads the count before the buckets, so a request recorded
      // meanwhile is in the count and not yet in a bucket, and would pass for one slower than a minute
      boolean slower = now.length > 0 && snapshot.max(TimeUnit.MILLISECONDS) > now[now.length - 1].bucket(TimeUnit.MILLISECONDS);
      durations.computeIfAbsent(timer.getId().getTag("listener"), k -> new BucketPercentiles(now))
          .add(before, now, slower ? observed : 0);
    }
    // the meters of a listener removed are gone from the registry: so are their last counts here (a node whose tests add
    // and remove listeners kept them all)
    java.util.Set<Meter> present = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    registry.forEachMeter(present::add);
    lastCounts.keySet().retainAll(present);
    lastBuckets.keySet().retainAll(present);
    JsonArray out = new JsonArray();
    for (Listener listener : listeners.get()) {
      double[] sums = requests.getOrDefault(listener.name(), new double[2]);
      BucketPercentiles latency = durations.get(listener.name());
      Map<String, Object> byType = new LinkedHashMap<>();
      faults.getOrDefault(listener.name(), Map.of()).forEach((type, n) -> byType.put(type, Math.round(n)));
      out.add(new JsonObject()
          .put("name", listener.name())
          .put("protocol", listener.protocol())
          .put("port", listener.port())
          .put("upstream", listener.upstream())
          .put("requests", Math.round(sums[0]))
          .put("requests_per_second", round(sums[0] * 1000.0 / interval))
          .put("errors", Math.round(sums[1]))
          .put("error_rate", sums[0] == 0 ? 0.0 : round(sums[1] / sums[0]))
          .put("faults", new JsonObject(byType))
          .put("p50_ms", latency == null ? null : round(latency.percentileMs(0.50)))
          .put("p99_ms", latency == null ? null : round(latency.percentileMs(0.99))));
    }
    return new JsonObject().put("at", nowMs).put("interval_ms", interval).put("request_metrics", requestMetrics)
        .put("listeners", out);
  }

  private double delta(Meter meter, double count) {
    Double before = lastCounts.put(meter, count);
    return Math.max(0, count - (before == null ? 0 : before));
  }

  private static Double round(Double value) {
    return value == null ? null : Math.round(value * 1000) / 1000.0;
  }
}
