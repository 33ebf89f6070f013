package io.faultline.chaos.config;

import java.util.List;

/** Validation helpers for config records: each failure names the field and the rejected value. */
final class Check {

  private Check() {
  }

  static boolean flag(Boolean value, boolean dflt) {
    return value == null ? dflt : value;
  }

  static double probability(Double value, String field, double dflt) {
    double v = value == null ? dflt : value;
    if (!(v >= 0.0 && v <= 1.0)) {
      throw new ChaosConfigException(field, "must be between 0 and 1, got " + value);
    }
    return v;
  }

  static double percent(Double value, String field, double dflt) {
    double v = value == null ? dflt : value;
    if (!(v >= 0.0 && v <= 100.0)) {
      throw new ChaosConfigException(field, "must be between 0 and 100, got " + value);
    }
    return v;
  }

  static long nonNegative(Long value, String field, long dflt) {
    long v = value == null ? dflt : value;
    if (v < 0) {
      throw new ChaosConfigException(field, "must be 0 or more, got " + value);
    }
    return v;
  }

  static int nonNegative(Integer value, String field, int dflt) {
    int v = value == null ? dflt : value;
    if (v < 0) {
      throw new ChaosConfigException(field, "must be 0 or more, got " + value);
    }
    return v;
  }

  static int positive(Integer value, String field, int dflt) {
    int v = value == null ? dflt : value;
    if (v <= 0) {
      throw new ChaosConfigException(field, "must be greater than 0, got " + value);
    }
    return v;
  }

  static long positive(Long value, String field, long dflt) {
    long v = value == null ? dflt : value;
    if (v <= 0) {
      throw new ChaosConfigException(field, "must be greater than 0, got " + value);
    }
    return v;
  }

  static List<Integer> statusCodes(List<Integer> codes, String field) {
    if (codes == null) {
      return List.of();
    }
    for (int i = 0; i < codes.size(); i++) {
      Integer code = codes.get(i);
      if (code == null || code < 100 || code > 599) {
        throw new ChaosConfigException(field + "[" + i + "]", "must be an HTTP status code between 100 and 599, got " + code);
      }
    }
    return List.copyOf(codes);
  }
}
