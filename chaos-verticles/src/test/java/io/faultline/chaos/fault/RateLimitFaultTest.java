package io.faultline.chaos.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.engine.Decision;
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
    Decision decision = fault.decide(new Facts(ip, path), null);
    return !(decision instanceof Terminal.RateLimited);
  }

  @Test
  void theGlobalLimitHoldsEvenWithPerClientBuckets() {
    RateLimitFault fault = new RateLimitFault(new RateLimiter(1, 3, () -> now), true, false);
    for (int i = 0; i < 3; i++) {
      assertThat(passes(fault, "10.0.0.1", "/a")).as("client A, request %d", i).isTrue();
    }
    assertThat(passes(fault, "10.0.0.2", "/a")).as("client B has its own bucket, but the global one is empty").isFalse();
  }

  @Test
  void aClientAndAnEndpointAreEachLimitedOnTheirOwnToo() {
    RateLimitFault perClient = new RateLimitFault(new RateLimiter(1, 2, () -> now), true, false);
    RateLimiter big = new RateLimiter(1000, 1000, () -> now);
    RateLimitFault both = new RateLimitFault(big, true, true);
    assertThat(passes(perClient, "10.0.0.1", "/a")).isTrue();
    now += 2_000_000_000L; // the global bucket refills, client A's too
    assertThat(passes(both, "10.0.0.1", "/a")).isTrue();
    // a bucket per endpoint: /a and /b do not share, and a client's bucket spans its endpoints
    RateLimitFault tight = new RateLimitFault(new RateLimiter(0.001, 1, () -> now), false, true);
    assertThat(passes(tight, "10.0.0.1", "/a")).isTrue();
    assertThat(passes(tight, "10.0.0.9", "/a")).as("the global bucket of one is spent").isFalse();
  }
}
