package io.faultline.chaos.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  @Test
  void burstIsGrantedThenRefillsAtTheRate() {
    RateLimiter limiter = new RateLimiter(5, 5, now::get);
    for (int i = 0; i < 5; i++) {
      assertThat(limiter.tryAcquire(null)).as("token %d", i).isZero();
    }
    long wait = limiter.tryAcquire(null);
    assertThat(wait).isEqualTo(200_000_000L);
    now.addAndGet(200_000_000L);
    assertThat(limiter.tryAcquire(null)).isZero();
    assertThat(limiter.tryAcquire(null)).isPositive();
  }

  @Test
  void keysHaveTheirOwnBuckets() {
    RateLimiter limiter = new RateLimiter(1, 1, now::get);
    assertThat(limiter.tryAcquire("a")).isZero();
    assertThat(limiter.tryAcquire("a")).isPositive();
    assertThat(limiter.tryAcquire("b")).isZero();
  }
}
