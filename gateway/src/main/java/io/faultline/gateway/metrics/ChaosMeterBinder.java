package io.faultline.gateway.metrics;

import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.engine.ChaosSnapshot;
import io.faultline.chaos.fault.RateLimitFault;
import io.faultline.chaos.limit.Bulkhead;
import io.faultline.chaos.limit.CircuitBreaker;
import io.faultline.chaos.state.ChaosState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;

/**
 * Binds the protocols' {@link ChaosListener} events to Micrometer meters in a Prometheus registry.
 * Meters are resolved once per label set and cached, so a request costs three map reads, a counter
 * increment and a histogram record, and allocates nothing.
 * Labels are configured names only (listener, route, fault type, outcome class), so cardinality is bounded.
 */
public final class ChaosMeterBinder implements ChaosListener {

  /** The outcomes {@link ChaosListener} reports; anything else is counted as the last. */
  private static final List<String> OUTCOMES = List.of("2xx", "3xx", "4xx", "5xx", "dropped");

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, Map<String, Map<String, RouteMeters>>> byListener = new ConcurrentHashMap<>();
  private final ChaosState state;
  private final MultiGauge breakerState;
  private final MultiGauge bulkheadActive;
  private final MultiGauge bulkheadQueued;
  private final MultiGauge bulkheadCapacity;

  public ChaosMeterBinder(ChaosState state) {
    this.state = state;
    Gauge.builder(MetricNames.CHAOS_ENABLED, state, s -> s.snapshot().config().enabled() ? 1 : 0)
        .description("1 when chaos is enabled on this node").register(registry);
    Gauge.builder(MetricNames.CONFIG_VERSION, state, s -> s.snapshot().version())
        .description("version of the active chaos config").register(registry);
    breakerState = MultiGauge.builder(MetricNames.CIRCUIT_BREAKER_STATE)
        .description("1 for the state each simulated circuit breaker is in").register(registry);
    bulkheadActive = MultiGauge.builder(MetricNames.BULKHEAD_ACTIVE).baseUnit("requests")
        .description("requests holding a simulated bulkhead's permit").register(registry);
    bulkheadQueued = MultiGauge.builder(MetricNames.BULKHEAD_QUEUED).baseUnit("requests")
        .description("requests waiting for a simulated bulkhead's permit").register(registry);
    bulkheadCapacity = MultiGauge.builder(MetricNames.BULKHEAD_CAPACITY).baseUnit("requests")
        .description("a simulated bulkhead's max_concurrent_requests").register(registry);
  }

  /** The registry, for meters bound elsewhere ({@link ControlPlaneMeters}). */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    refreshLimits();
    return registry.scrape();
  }

  /**
   * Breakers and bulkheads come and go with the config, so their series are listed again at each scrape
   * from the active snapshot (read only here, never on the request path).
   */
  private void refreshLimits() {
    ChaosSnapshot snapshot = state.snapshot();
    List<MultiGauge.Row<?>> states = new ArrayList<>();
    snapshot.parts(CircuitBreaker.class).forEach((owner, breaker) -> {
      CircuitBreaker.State current = breaker.state(); // once: the rows of one breaker must agree
      for (CircuitBreaker.State s : CircuitBreaker.State.values()) {
        states.add(MultiGauge.Row.of(scope(owner).and("state", s.name().toLowerCase(Locale.ROOT)), s == current ? 1 : 0));
      }
    });
    breakerState.register(states, true);
    Map<String, Bulkhead> bulkheads = snapshot.parts(Bulkhead.class);
    bulkheadActive.register(rows(bulkheads, Bulkhead::active), true);
    bulkheadQueued.register(rows(bulkheads, Bulkhead::queued), true);
    bulkheadCapacity.register(rows(bulkheads, Bulkhead::maxConcurrent), true);
  }

  private static List<MultiGauge.Row<?>> rows(Map<String, Bulkhead> bulkheads, ToIntFunction<Bulkhead> value) {
    return bulkheads.entrySet().stream()
        .<MultiGauge.Row<?>>map(e -> MultiGauge.Row.of(scope(e.getKey()), e.getValue(), b -> value.applyAsInt(b)))
        .toList();
  }

  /**
   * {@code scope="global", rule=""} for the global config's piece, {@code scope="rule", rule=NAME} for a
   * rule's own (a rule may be called anything, "global" included, so the two never share a series).
   */
  private static Tags scope(String owner) {
    return owner.isEmpty() ? Tags.of("scope", "global", "rule", "") : Tags.of("scope", "rule", "rule", owner);
  }

  @Override
  public void requestCompleted(String listener, String protocol, String route, String outcome, long durationNanos) {
    RouteMeters meters = meters(listener, protocol, route);
    int index = OUTCOMES.indexOf(outcome);
    meters.outcomes[index < 0 ? OUTCOMES.size() - 1 : index].increment();
    if (!outcome.equals("dropped")) {
      meters.duration.record(durationNanos, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void faultInjected(String listener, String protocol, String route, String type) {
    RouteMeters meters = meters(listener, protocol, route);
    Counter counter = meters.faults.get(type);
    if (counter == null) {
      counter = meters.faults.computeIfAbsent(type, t -> Counter.builder(MetricNames.FAULTS_INJECTED)
          .description("faults applied to requests, by fault type")
          .tags("listener", listener, "protocol", protocol, "route", route, "type", t)
          .register(registry));
    }
    counter.increment();
    if (type.equals(RateLimitFault.TYPE)) {
      meters.rateLimited().increment();
    }
  }

  /** Every series labelled with {@code listener} goes from the registry (and from /metrics) with it. */
  @Override
  public void listenerRemoved(String listener) {
    byListener.remove(listener);
    List<io.micrometer.core.instrument.Meter> gone = registry.getMeters().stream()
        .filter(meter -> listener.equals(meter.getId().getTag("listener"))).toList();
    gone.forEach(registry::remove);
  }

  @Override
  public void latencyInjected(String listener, String protocol, String route, long delayMs) {
    meters(listener, protocol, route).latency().record(delayMs, TimeUnit.MILLISECONDS);
  }

  /**
   * The meters of one listener, protocol and route. Looked up per request through three map reads
   * (configured names, whose hashes Java caches) with no allocation; created on the first request.
   */
  private RouteMeters meters(String listener, String protocol, String route) {
    Map<String, Map<String, RouteMeters>> byProtocol = byListener.get(listener);
    if (byProtocol == null) {
      byProtocol = byListener.computeIfAbsent(listener, k -> new ConcurrentHashMap<>());
    }
    Map<String, RouteMeters> byRoute = byProtocol.get(protocol);
    if (byRoute == null) {
      byRoute = byProtocol.computeIfAbsent(protocol, k -> new ConcurrentHashMap<>());
    }
    RouteMeters meters = byRoute.get(route);
    if (meters == null) {
      meters = byRoute.computeIfAbsent(route, k -> new RouteMeters(listener, protocol, route));
    }
    return meters;
  }

  /**
   * Every outcome's counter, and the rate-limit violations counter, exist from the first request of a route
   * (at 0), so rates, ratios and "violations" panels have series, not "no data".
   */
  private final class RouteMeters {

    final String listener;
    final String protocol;
    final String route;
    final Counter[] outcomes = new Counter[OUTCOMES.size()];
    final Timer duration;
    final Map<String, Counter> faults = new ConcurrentHashMap<>();
    // Created on first use; Micrometer returns the same meter if two event loops race to register it.
    private volatile Timer latency;
    private volatile Counter rateLimited;

    RouteMeters(String listener, String protocol, String route) {
      this.listener = listener;
      this.protocol = protocol;
      this.route = route;
      for (int i = 0; i < outcomes.length; i++) {
        outcomes[i] = Counter.builder(MetricNames.REQUESTS)
            .description("requests answered or lost, by outcome")
            .tags("listener", listener, "protocol", protocol, "route", route, "outcome", OUTCOMES.get(i))
            .register(registry);
      }
      duration = histogram(MetricNames.REQUEST_DURATION, "time until the response starts, injected delays included",
          listener, protocol, route);
      rateLimited();
    }

    Timer latency() {
      Timer timer = latency;
      if (timer == null) {
        latency = timer = histogram(MetricNames.INJECTED_LATENCY, "delay injected before requests went upstream",
            listener, protocol, route);
      }
      return timer;
    }

    Counter rateLimited() {
      Counter counter = rateLimited;
      if (counter == null) {
        rateLimited = counter = Counter.builder(MetricNames.RATE_LIMIT_VIOLATIONS)
            .description("requests refused by a rate limit")
            .tags("listener", listener, "protocol", protocol, "route", route)
            .register(registry);
      }
      return counter;
    }
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
