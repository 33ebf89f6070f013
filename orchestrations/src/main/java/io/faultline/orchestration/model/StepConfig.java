package io.faultline.orchestration.model;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/** How a step's chaos config is built: a named scenario's sections, refined field by field by the step's own config. */
public final class StepConfig {

  private StepConfig() {
  }

  /**
   * {@code over} laid on {@code base}: nested objects merge, anything else in {@code over} replaces. A
   * nested object may be a map or a {@link JsonObject} (what comes over the event bus is copied into those).
   */
  public static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> over) {
    Map<String, Object> out = new LinkedHashMap<>(base);
    over.forEach((key, value) -> {
      Map<String, Object> a = asMap(out.get(key));
      Map<String, Object> b = asMap(value);
      out.put(key, a != null && b != null ? merge(a, b) : value);
    });
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object value) {
    if (value instanceof JsonObject json) {
      return json.getMap();
    }
    return value instanceof Map<?, ?> map ? (Map<String, Object>) map : null;
  }
}
