package io.faultline.history.stats;

/**
 * The two-proportion z-test (pooled) on error counts: are the error rates of two sets of requests
 * different? The normal approximation it rests on holds when every expected count (errors and
 * successes, each side) is at least 5: {@link #approximationHolds()} says whether it does.
 *
 * @param rateA  errors / requests of A
 * @param rateB  errors / requests of B
 * @param z      the statistic, (rateA − rateB) / pooled standard error
 * @param pValue two-sided
 * @param cohenH effect size, 2·asin√rateA − 2·asin√rateB (0.2 small, 0.5 medium, 0.8 large)
 * @param minExpected the smallest expected count under the pooled rate
 */
public record ProportionTest(double rateA, double rateB, double z, double pValue, double cohenH, double minExpected) {

  public static ProportionTest of(long errorsA, long requestsA, long errorsB, long requestsB) {
    double a = requestsA <= 0 ? Double.NaN : (double) errorsA / requestsA;
    double b = requestsB <= 0 ? Double.NaN : (double) errorsB / requestsB;
    if (requestsA <= 0 || requestsB <= 0) { // the side that saw requests still has its rate
      return new ProportionTest(a, b, Double.NaN, Double.NaN, Double.NaN, 0);
    }
    double pooled = (double) (errorsA + errorsB) / (requestsA + requestsB);
    double se = Math.sqrt(pooled * (1 - pooled) * (1.0 / requestsA + 1.0 / requestsB));
    double z = se == 0 ? 0 : (a - b) / se;
    double minExpected = Math.min(Math.min(pooled * requestsA, (1 - pooled) * requestsA),
        Math.min(pooled * requestsB, (1 - pooled) * requestsB));
    double h = 2 * Math.asin(Math.sqrt(a)) - 2 * Math.asin(Math.sqrt(b));
    return new ProportionTest(a, b, z, se == 0 ? 1.0 : Distributions.twoSidedNormalP(z), h, minExpected);
  }

  public boolean approximationHolds() {
    return minExpected >= 5;
  }
}
