package io.faultline.chaos.engine;

/**
 * The random draws of one request: a SplitMix64 stream seeded from the chaos seed and the request's
 * sequence number. The same seed and the same request order give the same decisions, on any thread,
 * without a lock.
 */
public final class ChaosRandom {

  private long state;

  private ChaosRandom(long state) {
    this.state = state;
  }

  public static ChaosRandom forRequest(long seed, long sequence) {
    return new ChaosRandom(mix(seed ^ mix(sequence + 0x9E3779B97F4A7C15L)));
  }

  public long nextLong() {
    state += 0x9E3779B97F4A7C15L;
    return mix(state);
  }

  /** Uniform in [0, 1). */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform in [0, bound). */
  public int nextInt(int bound) {
    return (int) (nextDouble() * bound);
  }

  /** Uniform in [min, max], both inclusive. */
  public long between(long min, long max) {
    return min + (long) (nextDouble() * (max - min + 1));
  }

  public boolean chance(double probability) {
    return probability >= 1.0 || probability > 0.0 && nextDouble() < probability;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
