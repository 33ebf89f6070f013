package io.faultline.orchestration.run;

import io.faultline.chaos.config.ChaosJson;
import io.faultline.chaos.config.Scenario;
import io.faultline.orchestration.model.Step;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The scenarios of the node a run runs on (built in and saved, from {@code faultline.scenario.list}):
 * what a step's chaos is, and how long a step that gives no duration lasts.
 */
final class KnownScenarios {

  private final Map<String, Map<String, Object>> configs = new LinkedHashMap<>();
  private final Map<String, Double> durations = new LinkedHashMap<>();

  KnownScenarios() {
  }

  /** From the answer of {@code faultline.scenario.list}: {@code {scenarios: [{name, config, default_duration_seconds}]}}. */
  static KnownScenarios from(JsonObject list) {
    KnownScenarios known = new KnownScenarios();
    list.getJsonArray("scenarios").forEach(o -> {
      JsonObject s = (JsonObject) o;
      known.configs.put(s.getString("name"), s.getJsonObject("config").getMap());
      Object duration = s.getValue("default_duration_seconds");
      known.durations.put(s.getString("name"), duration instanceof Number n ? n.doubleValue() : Scenario.DEFAULT_DURATION_SECONDS);
    });
    return known;
  }

  boolean known(String name) {
    return name != null && configs.containsKey(name);
  }

  /**
   * How long {@code step} holds: its {@code duration_seconds}, else its scenario's default duration; a step
   * with an inline config (or none) has no default, so 0: it applies, measures and goes on.
   */
  double durationOf(Step step) {
    if (step.durationSeconds() != null) {
      return step.durationSeconds();
    }
    return known(step.scenario()) ? durations.get(step.scenario()) : 0;
  }

  /**
   * The config a step applies: a known scenario's sections (rules and seed stay the node's) refined by
   * the step's own config, or the step's config alone when it is an inline scenario; switched on unless
   * it says otherwise.
   */
  Map<String, Object> chaosOf(Step step) {
    Map<String, Object> base = known(step.scenario()) ? new LinkedHashMap<>(configs.get(step.scenario())) : new LinkedHashMap<>();
    base.remove("rules");
    base.remove("seed");
    base.remove("scenario");
    Map<String, Object> config = ChaosJson.refine(base, step.config() == null ? Map.of() : step.config());
    config.putIfAbsent("enabled", true);
    return config;
  }
}
