package io.faultline.chaos.config;

/**
 * Token-bucket rate limiting: {@code requests_per_second} refill, {@code burst_size} capacity,
 * optionally one bucket per client IP and/or per endpoint. Excess requests get 429. With
 * {@code scope: cluster} the rate is the whole cluster's: each live node enforces its share, re-split
 * when members come and go.
 */
@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
public record RateLimitConfig(
    Boolean enabled,
    Double requestsPerSecond,
    Integer burstSize,
    Boolean perIp,
    Boolean perEndpoint,
    String scope,
    Double perIpRequestsPerSecond,
    Double perEndpointRequestsPerSecond) {

  public RateLimitConfig {
    enabled = Check.flag(enabled, true);
    double rps = requestsPerSecond == null ? 0 : requestsPerSecond;
    if (enabled && requestsPerSecond == null) {
      throw new ChaosConfigException("requests_per_second", "is required while rate_limit is enabled: the rate, greater than 0");
    }
    if (enabled && !(rps > 0)) {
      throw new ChaosConfigException("requests_per_second", "must be greater than 0, got " + requestsPerSecond);
    }
    if (enabled) {
      // below a thousandth of a request per second a token bucket's refill rounds to nothing: the limit would be off
      Check.rate(rps, "requests_per_second", 0.001, 1e9);
    }
    requestsPerSecond = rps;
    // kept as given (null: not given), so the config reads back as it was written: a value worked out from the rate
    // and read back (a form, a script's GET then PUT) stayed the old rate's once the rate changed
    burstSize = burstSize == null ? null : Check.positive(burstSize, "burst_size", 1, Check.MAX_COUNT);
    if (burstSize != null && burstSize == secondsWorth(rps)) {
      burstSize = null; // what it would be anyway, as earlier versions wrote it into every saved config: not given
    }
    perIp = Check.flag(perIp, false);
    perEndpoint = Check.flag(perEndpoint, false);
    perIpRequestsPerSecond = perKey(perIpRequestsPerSecond, "per_ip_requests_per_second", rps, enabled, perIp, "per_ip");
    perEndpointRequestsPerSecond = perKey(perEndpointRequestsPerSecond, "per_endpoint_requests_per_second", rps, enabled, perEndpoint,
        "per_endpoint");
    scope = scope == null ? "node" : scope.toLowerCase(java.util.Locale.ROOT);
    if (!scope.equals("node") && !scope.equals("cluster")) {
      throw new ChaosConfigException("scope", "must be node or cluster, got " + scope);
    }
  }

  /** Without the per-key rates: each client's or endpoint's bucket has the global rate. */
  public RateLimitConfig(Boolean enabled, Double requestsPerSecond, Integer burstSize, Boolean perIp, Boolean perEndpoint, String scope) {
    this(enabled, requestsPerSecond, burstSize, perIp, perEndpoint, scope, null, null);
  }

  /**
   * A per-key rate: the global one unless given, and none (null, left out of the JSON) while its switch
   * ({@code per_ip: true}) is off. Given unlike the global rate without its switch, it would do nothing (it was taken
   * and ignored), so it is refused naming the switch; the global rate itself, which a GET answered for it before, is
   * taken back.
   */
  private static Double perKey(Double value, String field, double rps, boolean enabled, boolean on, String switchName) {
    if (!on) {
      if (value != null && value != rps) {
        throw new ChaosConfigException(field, "takes effect only with " + switchName + ": true (set it, or leave " + field + " out)");
      }
      return null;
    }
    if (value != null && enabled) {
      Check.rate(value, field, 0.001, 1e9);
    }
    // kept as given, as burst_size; the global rate itself, as earlier versions wrote it into every saved config, is not given
    return value != null && value == rps ? null : value;

  }

  /** The global bucket's capacity: {@code burst_size}, or one second's worth of the rate (at least one) when not given. */
  public int burst() {
    return burstSize != null ? burstSize : secondsWorth(requestsPerSecond);
  }

  private static int secondsWorth(double rps) {
    return (int) Math.max(1, Math.min(Check.MAX_COUNT, Math.ceil(rps)));
  }

  /** Each client's rate (with {@code per_ip}): {@code per_ip_requests_per_second}, or the global rate when not given. */
  public double perIpRate() {
    return perIpRequestsPerSecond != null ? perIpRequestsPerSecond : requestsPerSecond;
  }

  /** Each endpoint's rate (with {@code per_endpoint}): {@code per_endpoint_requests_per_second}, or the global rate when not given. */
  public double perEndpointRate() {
    return perEndpointRequestsPerSecond != null ? perEndpointRequestsPerSecond : requestsPerSecond;
  }
}
