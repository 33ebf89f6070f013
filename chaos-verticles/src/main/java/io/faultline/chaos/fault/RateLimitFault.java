package io.faultline.chaos.fault;

import io.faultline.chaos.engine.ChaosRandom;
import io.faultline.chaos.engine.Decision;
import io.faultline.chaos.engine.Fault;
import io.faultline.chaos.engine.RequestFacts;
import io.faultline.chaos.engine.Terminal;
import io.faultline.chaos.limit.RateLimiter;

/**
 * The {@code RateLimitFault} answers 429 with {@code Retry-After} once the token bucket is empty; with
 * {@code per_ip} and/or {@code per_endpoint} each client and/or endpoint has its own bucket.
 */
public final class RateLimitFault implements Fault {

  public static final String TYPE = "rate_limit";

  private final RateLimiter limiter;
  private final boolean perIp;
  private final boolean perEndpoint;

  public RateLimitFault(RateLimiter limiter, boolean perIp, boolean perEndpoint) {
    this.limiter = limiter;
    this.perIp = perIp;
    this.perEndpoint = perEndpoint;
  }

  @Override
  public Decision decide(RequestFacts request, ChaosRandom random) {
    long waitNanos = limiter.tryAcquire(key(request));
    if (waitNanos == 0) {
      return Decision.PASS;
    }
    long retryAfterSeconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
    return new Terminal.RateLimited(TYPE, retryAfterSeconds);
  }

  private String key(RequestFacts request) {
    if (!perIp && !perEndpoint) {
      return null;
    }
    String ip = perIp ? request.clientIp() : "";
    return perEndpoint ? ip + ' ' + request.method() + ' ' + request.path() : ip;
  }
}
