package io.faultline.chaos.config;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The five predefined scenarios, with exactly the parameters of reference 001 (its fault shares are shares of all
 * requests); each lasts
 * {@link Scenario#DEFAULT_DURATION_SECONDS} in an orchestration step that gives no duration.
 */
public final class Scenarios {

  private static final List<Integer> SERVER_ERRORS = List.of(500, 502, 503, 504);

  private static final List<Scenario> BUILT_IN = List.of(
      new Scenario("network_degradation", "500 ms fixed delay with 20% jitter, 5% packet loss, 100 KB/s bandwidth", true,
          base(new LatencyConfig(true, 500L, null, 20.0, 1.0, null), null, null,
              new TrafficShapingConfig(true, 100_000L, 5.0, null, null))),
      // shares of all requests, as reference 001 gives them: the faults are drawn one after the other, each
      // from the requests the ones before left (README, fault_injection), so each later one is its share of
      // what is left: 10% of all is 0.1 / 0.8 of what the errors left
      new Scenario("service_instability", "20% HTTP errors (500, 502, 503, 504) and 10% timeouts", true,
          base(null, new FaultInjectionConfig(true, SERVER_ERRORS, 0.2, 0.1 / 0.8, null, null, null, null, null, null, null, null, null),
              null, null)),
      new Scenario("cascading_failure", "1-5 s random delays with 30% jitter, 30% HTTP errors, 20% timeouts, 10% connection errors, 10 req/s",
          true,
          base(new LatencyConfig(true, null, List.of(1_000L, 5_000L), 30.0, 1.0, null),
              // 20% of all is 0.2 / 0.7 of what the errors left; 10% of all is 0.1 / 0.5 of what both left
              new FaultInjectionConfig(true, SERVER_ERRORS, 0.3, 0.2 / 0.7, null, 0.1 / 0.5, null, null, null, null, null, null, null),
              new RateLimitConfig(true, 10.0, null, null, null, null), null)),
      new Scenario("peak_traffic", "50 req/s in all with a burst of 10, and 50 req/s per endpoint (burst 50)", true,
          base(null, null, new RateLimitConfig(true, 50.0, 10, false, true, null), null)),
      new Scenario("slow_backend", "2 s fixed delay with 10% jitter on every request", true,
          base(new LatencyConfig(true, 2_000L, null, 10.0, 1.0, null), null, null, null)));

  private static final Map<String, Scenario> BY_NAME =
      BUILT_IN.stream().collect(Collectors.toUnmodifiableMap(Scenario::name, Function.identity()));

  private Scenarios() {
  }

  public static List<Scenario> builtIn() {
    return BUILT_IN;
  }

  public static Scenario builtIn(String name) {
    return BY_NAME.get(name);
  }

  private static ChaosConfig base(LatencyConfig latency, FaultInjectionConfig faults, RateLimitConfig rateLimit,
      TrafficShapingConfig shaping) {
    return new ChaosConfig(true, null, null, SectionValues.NONE
        .with(Sections.LATENCY, latency)
        .with(Sections.FAULT_INJECTION, faults)
        .with(Sections.RATE_LIMIT, rateLimit)
        .with(Sections.TRAFFIC_SHAPING, shaping), null);
  }
}
