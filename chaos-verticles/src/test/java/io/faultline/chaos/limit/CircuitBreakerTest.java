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
    assertThat(breaker.tryPass()).isEqualTo(CircuitBreaker.Pass.REJECTED);
    now.addAndGet(100_000_000L);
    CircuitBreaker.Pass probe = breaker.tryPass();
    assertThat(probe).isEqualTo(CircuitBreaker.Pass.PROBE);
    assertThat(breaker.tryPass()).as("only one probe at a time").isEqualTo(CircuitBreaker.Pass.REJECTED);
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
    CircuitBreaker.Pass probe = breaker.tryPass();
    breaker.onIgnored(probe);
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
    assertThat(breaker.tryPass()).as("the slot is free again").isEqualTo(CircuitBreaker.Pass.PROBE);
  }
}
