package io.faultline.chaos.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.Supplier;

/** Elapsed-time assertions with explicit bounds (toxiproxy's AssertDeltaTime). */
public final class Timing {

  private Timing() {
  }

  public static <T> Timed<T> time(Supplier<T> action) {
    long start = System.nanoTime();
    T value = action.get();
    return new Timed<>(value, (System.nanoTime() - start) / 1_000_000);
  }

  public static void assertElapsedBetween(long elapsedMs, long minMs, long maxMs) {
    assertThat(elapsedMs).as("elapsed ms").isBetween(minMs, maxMs);
  }

  /** A result and how long it took. */
  public record Timed<T>(T value, long elapsedMs) {
  }
}
