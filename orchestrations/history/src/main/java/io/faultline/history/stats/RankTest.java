package io.faultline.history.stats;

/**
 * The Mann–Whitney U test on two latency distributions recorded as histograms over the same buckets
 * ({@link io.faultline.history.score.LatencyHistogram}): is one side's latency stochastically larger?
 * Values in one bucket count as ties (midranks, with the tie correction of the variance), so the
 * test cannot see differences finer than a bucket (under 25% of the value): it is conservative there.
 * The p-value uses the normal approximation with a continuity correction, good from about 10 values a side.
 *
 * @param countA      values on side A
 * @param countB      values on side B
 * @param u           U of A: the number of (a, b) pairs with a above b, ties counting one half
 * @param z           standardized U
 * @param pValue      two-sided
 * @param superiority U / (countA · countB): the probability that a random A value is above a random B value (0.5: no difference)
 */
public record RankTest(long countA, long countB, double u, double z, double pValue, double superiority) {

  public static RankTest of(long[] a, long[] b) {
    int buckets = Math.max(a.length, b.length);
    double na = 0;
    double nb = 0;
    for (int i = 0; i < buckets; i++) {
      na += at(a, i);
      nb += at(b, i);
    }
    if (na == 0 || nb == 0) {
      return new RankTest((long) na, (long) nb, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    double n = na + nb;
    double below = 0;
    double rankSumA = 0;
    double ties = 0;
    for (int i = 0; i < buckets; i++) {
      double t = at(a, i) + at(b, i);
      if (t == 0) {
        continue;
      }
      double midrank = below + (t + 1) / 2;
      rankSumA += at(a, i) * midrank;
      ties += t * t * t - t;
      below += t;
    }
    double u = rankSumA - na * (na + 1) / 2;
    double mean = na * nb / 2;
    double variance = na * nb / 12 * ((n + 1) - ties / (n * (n - 1)));
    if (variance <= 0) {
      return new RankTest((long) na, (long) nb, u, 0, 1.0, u / (na * nb));
    }
    double diff = u - mean;
    double corrected = Math.signum(diff) * Math.max(0, Math.abs(diff) - 0.5);
    double z = corrected / Math.sqrt(variance);
    return new RankTest((long) na, (long) nb, u, z, Distributions.twoSidedNormalP(z), u / (na * nb));
  }

  private static double at(long[] v, int i) {
    return i < v.length ? v[i] : 0;
  }
}
