package io.faultline.history.stats;

/**
 * Ordinary least squares of y on x, with the slope's standard error, its two-sided confidence interval
 * from Student's t with n − 2 degrees of freedom, and the p-value of "slope = 0". The interval is only
 * as good as the model: independent points scattered evenly around a straight line.
 *
 * @param n         points used
 * @param slope     change in y per unit of x
 * @param intercept y at x = 0
 * @param low       lower bound of the slope's interval (NaN below 3 points or when x does not vary)
 * @param high      upper bound
 * @param pValue    two-sided p-value of slope = 0 (NaN when not computable)
 * @param residualSd standard deviation of the residuals
 */
public record Regression(int n, double slope, double intercept, double low, double high, double pValue, double residualSd) {

  /** Fits y on x at confidence {@code 1 - alpha}. */
  public static Regression fit(double[] x, double[] y, double alpha) {
    int n = x.length;
    if (n == 0) {
      return new Regression(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    double mx = mean(x);
    double my = mean(y);
    double sxx = 0;
    double sxy = 0;
    for (int i = 0; i < n; i++) {
      sxx += (x[i] - mx) * (x[i] - mx);
      sxy += (x[i] - mx) * (y[i] - my);
    }
    if (n < 3 || sxx == 0) {
      double slope = sxx == 0 ? Double.NaN : sxy / sxx;
      return new Regression(n, slope, Double.isNaN(slope) ? my : my - slope * mx, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    double slope = sxy / sxx;
    double intercept = my - slope * mx;
    double sse = 0;
    for (int i = 0; i < n; i++) {
      double r = y[i] - (intercept + slope * x[i]);
      sse += r * r;
    }
    double df = n - 2;
    double residualSd = Math.sqrt(sse / df);
    double se = residualSd / Math.sqrt(sxx);
    if (se == 0) {
      // every point on the line: the slope is exact
      return new Regression(n, slope, intercept, slope, slope, slope == 0 ? 1.0 : 0.0, 0);
    }
    double t = Distributions.studentCritical(alpha, df);
    return new Regression(n, slope, intercept, slope - t * se, slope + t * se,
        Distributions.twoSidedStudentP(slope / se, df), residualSd);
  }

  /**
   * The slope as shown beside its direction: NaN (shown as null) where there is no interval, as with two points, whose
   * line through both is no estimate (two scores 11 s apart showed a slope of -64,950 a day beside insufficient_data).
   */
  public double shownSlope() {
    return Double.isNaN(low) ? Double.NaN : slope;
  }

  /** {@code increasing}, {@code decreasing} (the whole interval on one side of 0), {@code no_significant_change}, or {@code insufficient_data}. */
  public String direction() {
    if (Double.isNaN(low)) {
      return "insufficient_data";
    }
    return low > 0 ? "increasing" : high < 0 ? "decreasing" : "no_significant_change";
  }

  static double mean(double[] v) {
    double s = 0;
    for (double d : v) {
      s += d;
    }
    return v.length == 0 ? Double.NaN : s / v.length;
  }
}
