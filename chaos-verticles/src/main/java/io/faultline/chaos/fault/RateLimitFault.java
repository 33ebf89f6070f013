package io.faultline.chaos.fault;

import io.faultline.chaos.engine.ChaosRandom;
import io.faultline.chaos.engine.Decision;
import io.faultline.chaos.engine.Fault;
import io.faultline.chaos.engine.RequestFacts;
import io.faultline.chaos.engine.Terminal;
import io.faultline.chaos.limit.RateLimiter;

/**
 * The {@code RateLimitFault} answers 429 with {@code Retry-After} once a token bucket is empty. There is
 * always the global bucket; {@code per_ip} adds one per client and {@code per_endpoint} one per endpoint
 * (method and path), at {@code per_ip_requests_per_second} / {@code per_endpoint_requests_per_second}
 * (the global rate when not given), checked in that order as reference 001's engine does: a request
 * passes only when every bucket that applies grants it, and one refused spends no token of any bucket.
 */
public final class RateLimitFault implements Fault {

  public static final String TYPE = "rate_limit";

  private final RateLimiter limiter;
  private final RateLimiter perIp;
  private final RateLimiter perEndpoint;

  /** {@code perIp} and {@code perEndpoint} (null: not limited that way) hold one bucket per client and per endpoint. */
  public RateLimitFault(RateLimiter limiter, RateLimiter perIp, RateLimiter perEndpoint) {
    this.limiter = limiter;
    this.perIp = perIp;
    this.perEndpoint = perEndpoint;
  }

  @Override
  public Decision decide(RequestFacts request, ChaosRandom random) {
    long waitNanos = limiter.tryAcquire(null);
    String ip = perIp == null ? null : request.clientIp();
    if (waitNanos == 0 && perIp != null) {
      waitNanos = perIp.tryAcquire(ip);
      if (waitNanos > 0) {
        limiter.giveBack(null);
      }
    }
    // the endpoint as the upstream reads it (as rules match it): //api/test and /%61pi/test are /api/test
    String endpoint = perEndpoint == null ? null : request.method() + ' ' + io.faultline.chaos.engine.MatchPath.of(request.path());
    if (waitNanos == 0 && perEndpoint != null) {
      waitNanos = perEndpoint.tryAcquire(endpoint);
      if (waitNanos > 0) {
        // refused: the buckets that granted it spend nothing (a request let through is the only one that counts)
        limiter.giveBack(null);
        if (perIp != null) {
          perIp.giveBack(ip);
        }
      }
    }
    if (waitNanos == 0) {
      return Decision.PASS;
    }
    return new Terminal.RateLimited(TYPE, Math.max(1, (waitNanos + 999_999L) / 1_000_000L));
  }
}
