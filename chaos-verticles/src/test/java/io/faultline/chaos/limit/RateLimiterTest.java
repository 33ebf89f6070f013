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

  /**
   * At the key limit the buckets that are full again are forgotten, not every bucket: all were cleared, so a client
   * over its limit got a full bucket whenever 100,000 other keys (distinct paths of one client) had been seen.
   */
  @Test
  void aClientOverItsLimitStaysLimitedWhenTheKeysOverflow() {
    RateLimiter limiter = new RateLimiter(1, 1, now::get);
    for (int i = 0; i < RateLimiter.MAX_KEYS - 1; i++) {
      assertThat(limiter.tryAcquire("/path/" + i)).isZero();
    }
    now.addAndGet(2_000_000_000L); // those buckets are full again
    assertThat(limiter.tryAcquire("victim")).isZero();
    assertThat(limiter.tryAcquire("victim")).as("over its limit").isPositive();
    assertThat(limiter.tryAcquire("one-more")).as("a new key past the limit").isZero();
    assertThat(limiter.tryAcquire("victim")).as("still over its limit").isPositive();
    assertThat(limiter.tryAcquire("/path/0")).as("a forgotten bucket is a full one").isZero();
  }

  @Test
  void keysHaveTheirOwnBuckets() {
    RateLimiter limiter = new RateLimiter(1, 1, now::get);
    assertThat(limiter.tryAcquire("a")).isZero();
    assertThat(limiter.tryAcquire("a")).isPositive();
    assertThat(limiter.tryAcquire("b")).isZero();
  }
}
