package io.faultline.orchestration.model;

import io.faultline.chaos.config.ChaosJson;
import java.util.Map;

/** How a step's chaos config is built: a named scenario's sections, refined field by field by the step's own config. */
public final class StepConfig {

  private StepConfig() {
  }

  /** {@code over} laid on {@code base}, as {@link ChaosJson#refine} lays them. */
  public static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> over) {
    return ChaosJson.refine(base, over);
  }
}
