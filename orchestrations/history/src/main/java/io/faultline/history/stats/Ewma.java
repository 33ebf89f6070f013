package io.faultline.history.stats;

/**
 * An exponentially weighted moving mean and variance of one series, and the z-score of a new value
 * against them: z = (x − mean) / max(sd, floor). {@code alpha} is the weight of the newest value (0.3
 * forgets a value's influence to 5% within about 9 samples). The floor keeps a series that has barely
 * moved (sd near 0) from calling its first small wobble an anomaly. Not thread-safe: one sampler owns it.
 */
public final class Ewma {

  private final double alpha;
  private double mean;
  private double variance;
  private long samples;

  public Ewma(double alpha) {
    if (!(alpha > 0 && alpha <= 1)) {
      throw new IllegalArgumentException("alpha must be in (0, 1], got " + alpha);
    }
    this.alpha = alpha;
  }

  /** The z-score of {@code x} against the series so far (0 before any sample). */
  public double z(double x, double floor) {
    if (samples == 0) {
      return 0;
    }
    return (x - mean) / Math.max(Math.sqrt(variance), floor);
  }

  /** Folds {@code x} into the mean and variance (West's incremental form of the weighted variance). */
  public void add(double x) {
    if (samples++ == 0) {
      mean = x;
      variance = 0;
      return;
    }
    double diff = x - mean;
    double increment = alpha * diff;
    mean += increment;
    variance = (1 - alpha) * (variance + diff * increment);
  }

  public double mean() {
    return mean;
  }

  public double sd() {
    return Math.sqrt(variance);
  }

  public long samples() {
    return samples;
  }
}
