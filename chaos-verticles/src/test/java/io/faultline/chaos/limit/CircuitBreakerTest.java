package io.faultline.chaos.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

  private final AtomicLong now = new AtomicLong();

  @Test
  void opensAfterThresholdThenProbesAndCloses() {
    CircuitBreaker breaker = new CircuitBreaker(3, 100, 1, 1, now::get);
    for (int i = 0; i < 3; i++) {
      breaker.onResult(breaker.tryPass(), true);
    }
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(breaker.tryPass().pass()).isEqualTo(CircuitBreaker.Pass.REJECTED);
    now.addAndGet(100_000_000L);
    CircuitBreaker.Ticket probe = breaker.tryPass();
    assertThat(probe.pass()).isEqualTo(CircuitBreaker.Pass.PROBE);
    assertThat(breaker.tryPass().pass()).as("only one probe at a time").isEqualTo(CircuitBreaker.Pass.REJECTED);
    breaker.onResult(probe, false);
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void successResetsTheFailureCountAndAFailedProbeReopens() {
    CircuitBreaker breaker = new CircuitBreaker(2, 100, 1, 1, now::get);
    breaker.onResult(breaker.tryPass(), true);
    breaker.onResult(breaker.tryPass(), false);
    breaker.onResult(breaker.tryPass(), true);
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    breaker.onResult(breaker.tryPass(), true);
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    now.addAndGet(150_000_000L);
    breaker.onResult(breaker.tryPass(), true);
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
  }

  @Test
  void anIgnoredProbeFreesItsSlotWithoutClosing() {
    CircuitBreaker breaker = new CircuitBreaker(1, 100, 1, 1, now::get);
    breaker.onResult(breaker.tryPass(), true);
    now.addAndGet(100_000_000L);
    CircuitBreaker.Ticket probe = breaker.tryPass();
    breaker.onIgnored(probe);
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
    assertThat(breaker.tryPass().pass()).as("the slot is free again").isEqualTo(CircuitBreaker.Pass.PROBE);
  }

  /**
   * A probe that ends after another probe reopened the breaker belongs to a half-open period that is over:
   * its success used to close the breaker just reopened (and its failure stamped the open time anew).
   */
  @Test
  void aLateProbeOfAnEarlierHalfOpenPeriodNeitherClosesNorReopens() {
    CircuitBreaker breaker = new CircuitBreaker(1, 100, 2, 1, now::get);
    breaker.onResult(breaker.tryPass(), true);
    now.addAndGet(100_000_000L);
    CircuitBreaker.Ticket slow = breaker.tryPass();
    CircuitBreaker.Ticket fast = breaker.tryPass();
    assertThat(slow.pass()).isEqualTo(CircuitBreaker.Pass.PROBE);
    assertThat(fast.pass()).isEqualTo(CircuitBreaker.Pass.PROBE);
    breaker.onResult(fast, true);
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    now.addAndGet(60_000_000L);
    breaker.onResult(slow, false);
    assertThat(breaker.state()).as("the late success does not close it").isEqualTo(CircuitBreaker.State.OPEN);
    now.addAndGet(40_000_000L);
    assertThat(breaker.state()).as("half-open %d ms after the failed probe, not later", 100).isEqualTo(CircuitBreaker.State.HALF_OPEN);
    breaker.onResult(breaker.tryPass(), false);
    assertThat(breaker.state()).as("a probe of this period closes it").isEqualTo(CircuitBreaker.State.CLOSED);
  }
}
