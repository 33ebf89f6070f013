package io.faultline.history.stats;

/**
 * The distribution functions the tests need, computed here rather than pulled from a library: the
 * standard normal's tail (through erfc, relative error under 1.2e-7), and Student's t (through the
 * regularized incomplete beta function, continued fraction to 1e-12). Accurate far beyond what the
 * p-values they feed can carry.
 */
public final class Distributions {

  private Distributions() {
  }

  /** Complementary error function (Numerical Recipes' Chebyshev fit; fractional error below 1.2e-7 everywhere). */
  public static double erfc(double x) {
    double z = Math.abs(x);
    double t = 1.0 / (1.0 + 0.5 * z);
    double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
        + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
        + t * (-0.82215223 + t * 0.17087277)))))))));
    return x >= 0 ? r : 2.0 - r;
  }

  /** P(|Z| ≥ |z|) for a standard normal Z. */
  public static double twoSidedNormalP(double z) {
    return Math.min(1.0, erfc(Math.abs(z) / Math.sqrt(2.0)));
  }

  /** P(|T| ≥ |t|) for Student's t with {@code df} degrees of freedom. */
  public static double twoSidedStudentP(double t, double df) {
    if (Double.isInfinite(t)) {
      return 0.0;
    }
    return Math.min(1.0, incompleteBeta(df / (df + t * t), df / 2.0, 0.5));
  }

  /** The t with P(|T| ≥ t) = {@code alpha} ({@code alpha} 0.05 gives the 95% two-sided critical value), by bisection. */
  public static double studentCritical(double alpha, double df) {
    double lo = 0;
    double hi = 1e6;
    for (int i = 0; i < 200; i++) {
      double mid = (lo + hi) / 2;
      if (twoSidedStudentP(mid, df) > alpha) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return (lo + hi) / 2;
  }

  /** The regularized incomplete beta function I_x(a, b). */
  public static double incompleteBeta(double x, double a, double b) {
    if (x <= 0) {
      return 0;
    }
    if (x >= 1) {
      return 1;
    }
    double front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
    return x < (a + 1) / (a + b + 2) ? front * betaFraction(x, a, b) / a : 1 - front * betaFraction(1 - x, b, a) / b;
  }

  /** Lentz's evaluation of the continued fraction of I_x(a, b). */
  private static double betaFraction(double x, double a, double b) {
    double tiny = 1e-300;
    double c = 1;
    double d = 1 - (a + b) * x / (a + 1);
    d = 1 / (Math.abs(d) < tiny ? tiny : d);
    double h = d;
    for (int m = 1; m <= 500; m++) {
      int m2 = 2 * m;
      double aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
      d = 1 / nonZero(1 + aa * d, tiny);
      c = nonZero(1 + aa / c, tiny);
      h *= d * c;
      aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
      d = 1 / nonZero(1 + aa * d, tiny);
      c = nonZero(1 + aa / c, tiny);
      double step = d * c;
      h *= step;
      if (Math.abs(step - 1) < 1e-12) {
        break;
      }
    }
    return h;
  }

  private static double nonZero(double v, double tiny) {
    return Math.abs(v) < tiny ? tiny : v;
  }

  /** ln Γ(x) for x > 0 (Lanczos, g = 7, nine terms; absolute error under 2e-7 from 0.5 to 110, plenty for p-values). */
  public static double logGamma(double x) {
    double[] c = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
        -176.61503916999185, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7};
    if (x < 0.5) {
      return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
    }
    x -= 1;
    double sum = c[0];
    double t = x + 7.5;
    for (int i = 1; i < 9; i++) {
      sum += c[i] / (x + i);
    }
    return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(sum);
  }
}
