package io.faultline.orchestration.model;

import java.util.LinkedHashMap;
import java.util.Map;

/** How a step's chaos config is built: a named scenario's sections, refined field by field by the step's own config. */
public final class StepConfig {

  private StepConfig() {
  }

  /** {@code over} laid on {@code base}: nested objects merge, anything else in {@code over} replaces. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> over) {
    Map<String, Object> out = new LinkedHashMap<>(base);
    over.forEach((key, value) -> {
      Object existing = out.get(key);
      if (existing instanceof Map<?, ?> a && value instanceof Map<?, ?> b) {
        out.put(key, merge((Map<String, Object>) a, (Map<String, Object>) b));
      } else {
        out.put(key, value);
      }
    });
    return out;
  }
}
