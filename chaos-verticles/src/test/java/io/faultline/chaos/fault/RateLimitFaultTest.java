package io.faultline.chaos.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.engine.RequestFacts;
import io.faultline.chaos.engine.Terminal;
import io.faultline.chaos.limit.RateLimiter;
import org.junit.jupiter.api.Test;

/** Reference 001 checks the global limit, then the client's, then the endpoint's: each applies at once. */
class RateLimitFaultTest {

  private long now = 1_000_000_000L;

  private record Facts(String clientIp, String path) implements RequestFacts {
    public String listener() { return "web"; }
    public String route() { return null; }
    public String method() { return "GET"; }
    public String host() { return "h"; }
    public String header(String name) { return null; }
  }

  private boolean passes(RateLimitFault fault, String ip, String path) {
    return !(fault.decide(new Facts(ip, path), null) instanceof Terminal.RateLimited);
  }

  private RateLimiter limiter(double rps, int burst) {
    return new RateLimiter(rps, burst, () -> now);
  }

  @Test
  void theGlobalLimitHoldsEvenWithPerClientBuckets() {
    RateLimitFault fault = new RateLimitFault(limiter(1, 3), limiter(1, 3), null);
    for (int i = 0; i < 3; i++) {
      assertThat(passes(fault, "10.0.0.1", "/a")).as("client A, request %d", i).isTrue();
    }
    assertThat(passes(fault, "10.0.0.2", "/a")).as("client B has its own bucket, but the global one is empty").isFalse();
  }

  @Test
  void aClientAndAnEndpointAreEachLimitedOnTheirOwnUnderAWiderGlobalLimit() {
    RateLimitFault fault = new RateLimitFault(limiter(1000, 1000), limiter(1, 2), limiter(1, 3));
    assertThat(passes(fault, "10.0.0.1", "/a")).isTrue();
    assertThat(passes(fault, "10.0.0.1", "/b")).isTrue();
    assertThat(passes(fault, "10.0.0.1", "/c")).as("client A's bucket of two is spent").isFalse();
    assertThat(passes(fault, "10.0.0.2", "/a")).isTrue();
    assertThat(passes(fault, "10.0.0.3", "/a")).isTrue();
    assertThat(passes(fault, "10.0.0.4", "/a")).as("endpoint /a's bucket of three is spent").isFalse();
    now += 2_000_000_000L;
    assertThat(passes(fault, "10.0.0.4", "/a")).as("refilled").isTrue();
  }
}
