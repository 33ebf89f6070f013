package io.faultline.orchestration.parse;

import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.config.Scenario;
import io.faultline.chaos.config.Scenarios;
import io.faultline.chaos.control.Addresses;
import io.faultline.orchestration.model.Problem;
import io.faultline.orchestration.model.ScenarioRef;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Scenario names a step gives without a config must exist where the run starts: built in, or saved on
 * the node. A node checks them before it starts a run (and when it validates), so a name that cannot
 * run is an error then, not a failed first step; an offline check can only warn about the names that
 * are not built in.
 */
public final class ScenarioNames {

  private static final List<String> BUILT_IN = Scenarios.builtIn().stream().map(Scenario::name).toList();

  private ScenarioNames() {
  }

  /** The scenario names this node knows: built in and saved. */
  public static Future<Set<String>> onNode(EventBus bus) {
    return bus.<JsonObject>request(Addresses.SCENARIO_LIST, null).map(reply -> {
      Set<String> names = new LinkedHashSet<>(BUILT_IN);
      reply.body().getJsonArray("scenarios").forEach(s -> names.add(((JsonObject) s).getString("name")));
      return names;
    });
  }

  /** A problem for each name in {@code refs} that {@code known} lacks. */
  public static List<Problem> unknown(List<ScenarioRef> refs, Set<String> known) {
    return refs.stream().filter(r -> !known.contains(r.name())).map(r -> new Problem(r.path(), r.line(),
        "unknown scenario " + r.name() + ": neither built in " + BUILT_IN + " nor saved on this node; save it first"
            + " (POST /api/chaos/scenarios) or give the step a config")).toList();
  }

  /**
   * Refuses {@code refs} when {@code known} lacks a name they give, with an error naming the first one's
   * path, {@code prefix} ({@code "cannot start: "}) before its message: what cannot run is refused before it starts.
   */
  public static void refuseUnknown(List<ScenarioRef> refs, Set<String> known, String prefix) {
    List<Problem> unknown = unknown(refs, known);
    if (!unknown.isEmpty()) {
      throw new ChaosConfigException(unknown.get(0).path(), prefix + unknown.get(0)
          + (unknown.size() > 1 ? " (and " + (unknown.size() - 1) + " more; validate it for all)" : ""));
    }
  }

  /** A warning for each name in {@code refs} that is not built in (it must be saved on the node the run starts on). */
  public static List<Problem> notBuiltIn(List<ScenarioRef> refs) {
    return refs.stream().filter(r -> !BUILT_IN.contains(r.name())).map(r -> new Problem(r.path(), r.line(),
        r.name() + " is not a built-in scenario: a node starts this only if it has a scenario saved under that name"
            + " (POST /api/chaos/scenarios)")).toList();
  }
}
