package io.faultline.history.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The statistics against values published in tables (or computed by hand), to the precision they are quoted. */
class StatsTest {

  @Test
  void distributionsMatchTheirTables() {
    assertThat(Distributions.twoSidedNormalP(1.959964)).isCloseTo(0.05, within(1e-6));
    assertThat(Distributions.twoSidedNormalP(0)).isCloseTo(1.0, within(1e-7));
    assertThat(Distributions.studentCritical(0.05, 10)).isCloseTo(2.228139, within(1e-5));
    assertThat(Distributions.studentCritical(0.05, 1)).isCloseTo(12.7062, within(1e-3));
    assertThat(Distributions.twoSidedStudentP(2.228139, 10)).isCloseTo(0.05, within(1e-6));
    assertThat(Distributions.logGamma(5)).isCloseTo(Math.log(24), within(2e-7));
  }

  @Test
  void regressionGivesTheSlopeItsIntervalAndDirection() {
    double[] x = {0, 1, 2, 3, 4, 5};
    double[] rising = {1.0, 2.1, 2.9, 4.2, 4.8, 6.1};
    Regression fit = Regression.fit(x, rising, 0.05);
    assertThat(fit.slope()).isCloseTo(1.0, within(0.05));
    assertThat(fit.low()).isPositive();
    assertThat(fit.direction()).isEqualTo("increasing");
    assertThat(Regression.fit(x, new double[] {3, 1, 4, 1, 5, 2}, 0.05).direction()).isEqualTo("no_significant_change");
    assertThat(Regression.fit(new double[] {0, 1}, new double[] {0, 5}, 0.05).direction()).isEqualTo("insufficient_data");
  }

  @Test
  void twoProportionTestAsComputedByHand() {
    // 10 of 100 against 25 of 100: pooled 0.175, se = sqrt(0.175 * 0.825 * 0.02) = 0.05373, z = -2.792
    ProportionTest t = ProportionTest.of(10, 100, 25, 100);
    assertThat(t.z()).isCloseTo(-2.792, within(1e-3));
    assertThat(t.pValue()).isCloseTo(0.00524, within(1e-4));
    assertThat(t.approximationHolds()).isTrue();
    assertThat(ProportionTest.of(0, 100, 0, 100).pValue()).isEqualTo(1.0);
    // a side with no requests has no rate and there is no test, but the other side's rate is still its own
    ProportionTest oneSided = ProportionTest.of(0, 0, 5, 100);
    assertThat(oneSided.rateA()).isNaN();
    assertThat(oneSided.rateB()).isEqualTo(0.05);
    assertThat(oneSided.pValue()).isNaN();
  }

  @Test
  void rankTestOnHistogramsSeesAShiftAndNotTheSameDistribution() {
    long[] fast = new long[20];
    long[] slow = new long[20];
    fast[3] = 40;
    fast[4] = 40;
    slow[6] = 40;
    slow[7] = 40;
    RankTest shifted = RankTest.of(slow, fast);
    assertThat(shifted.superiority()).isEqualTo(1.0);
    assertThat(shifted.pValue()).isLessThan(1e-10);
    assertThat(RankTest.of(fast, fast.clone()).pValue()).isGreaterThan(0.9);
  }

  @Test
  void permutationTestIsExactForSmallSamples() {
    PermutationTest separated = PermutationTest.of(new double[] {100, 100, 100, 100}, new double[] {35, 36, 34, 35}, 1);
    assertThat(separated.pValue()).isCloseTo(2.0 / 70, within(1e-12));
    assertThat(separated.exact()).isTrue();
    assertThat(PermutationTest.of(new double[] {1, 2, 3}, new double[] {1, 2, 3}, 1).pValue()).isEqualTo(1.0);
    // large samples are sampled with a seed: the same values give the same p
    double[] a = new double[15];
    double[] b = new double[15];
    for (int i = 0; i < 15; i++) {
      a[i] = i;
      b[i] = i + 3;
    }
    PermutationTest sampled = PermutationTest.of(a, b, 42);
    assertThat(sampled.exact()).isFalse();
    assertThat(sampled.pValue()).isEqualTo(PermutationTest.of(a, b, 42).pValue());
    // no sampled split as extreme as the observed one: p is the least the draws can show, never 0
    double[] high = new double[12];
    double[] low = new double[12];
    for (int i = 0; i < 12; i++) {
      high[i] = 90 + 0.1 * i;
      low[i] = 50 + 0.1 * i;
    }
    PermutationTest apart = PermutationTest.of(high, low, 42);
    assertThat(apart.exact()).isFalse();
    assertThat(apart.pValue()).isEqualTo(1.0 / (PermutationTest.SAMPLED + 1));
  }

  @Test
  void ewmaFollowsTheSeriesAndScoresTheOutlier() {
    Ewma e = new Ewma(0.3);
    for (int i = 0; i < 50; i++) {
      e.add(10 + (i % 2 == 0 ? 1 : -1));
    }
    assertThat(e.mean()).isCloseTo(10, within(0.5));
    assertThat(e.z(30, 0.1)).isGreaterThan(10);
  }
}
