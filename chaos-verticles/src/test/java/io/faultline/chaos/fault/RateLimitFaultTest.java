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

  @Test
  void aRefusedRequestSpendsNoOtherBucketsToken() {
    // README's "5/s per client, 20 in all": one client far over its own limit used to empty the shared bucket
    RateLimitFault fault = new RateLimitFault(limiter(20, 20), limiter(5, 5), null);
    int passedA = 0;
    for (int i = 0; i < 30; i++) {
      passedA += passes(fault, "10.0.0.2", "/a") ? 1 : 0;
    }
    assertThat(passedA).isEqualTo(5);
    for (int i = 0; i < 5; i++) {
      assertThat(passes(fault, "10.0.0.3", "/a")).as("client B, request %d: 5 of 20 spent in all", i).isTrue();
    }
    // and an endpoint's refusal gives back the client's and the shared token
    RateLimitFault endpoints = new RateLimitFault(limiter(20, 20), limiter(5, 5), limiter(2, 2));
    for (int i = 0; i < 10; i++) {
      passes(endpoints, "10.0.0.2", "/busy");
    }
    for (int i = 0; i < 3; i++) {
      assertThat(passes(endpoints, "10.0.0.2", "/other-" + i)).as("the client's own bucket still holds %d", 3 - i).isTrue();
    }
  }

  @Test
  void theEndpointIsThePathAsTheUpstreamReadsIt() {
    RateLimitFault fault = new RateLimitFault(limiter(1000, 1000), null, limiter(1, 2));
    assertThat(passes(fault, "10.0.0.1", "/api/test")).isTrue();
    assertThat(passes(fault, "10.0.0.1", "//api/test")).isTrue();
    assertThat(passes(fault, "10.0.0.1", "/%61pi/./test")).as("the same endpoint's bucket of two").isFalse();
  }

  @Test
  void aLowRateWithAHugeBurstAdmitsItsBurst() {
    // 0.1/s with a burst of 10^9 overflowed the bucket's tolerance: every request was refused for centuries
    RateLimitFault fault = new RateLimitFault(limiter(0.1, 1_000_000_000), null, null);
    for (int i = 0; i < 1000; i++) {
      assertThat(passes(fault, "10.0.0.1", "/a")).as("request %d", i).isTrue();
    }
  }
}
