package io.faultline.orchestration.run;

import io.faultline.chaos.control.Addresses;
import io.faultline.chaos.control.ControlError;
import io.faultline.chaos.control.TaskRules;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * The control requests of a task item's run, confined to the item's node: a step's whole config, or a
 * scenario start, becomes the item's rule (put again, whole, at each step) with that chaos's sections,
 * chaos switched on if it was off; a step that switches chaos off, and the restore at the end, remove
 * the rule. The rest of the config (global sections, other rules, the seed) is never touched, so there
 * is nothing to read back before the run. Sections a step leaves out are the global ones on that node,
 * as for any rule.
 */
final class ScopedControlBus extends ControlBus {

  private final RunScope scope;

  ScopedControlBus(EventBus bus, RunScope scope) {
    super(bus, TaskRules.source(scope.task()));
    this.scope = scope;
  }

  @Override
  Future<JsonObject> before() {
    return Future.succeededFuture(new JsonObject()); // non-null: the restore removes the rule
  }

  @Override
  Future<JsonObject> startScenario(String name, Map<String, Object> chaos) {
    return apply(chaos);
  }

  @Override
  Future<JsonObject> apply(Map<String, Object> config) {
    if (Boolean.FALSE.equals(config.get("enabled"))) {
      return removeRule();
    }
    return request(Addresses.RULES_PUT, TaskRules.rule(scope.rule(), scope.node(), config))
        .compose(status -> status.getBoolean("enabled", false) ? Future.succeededFuture(status)
            : request(Addresses.CHAOS_ENABLE, null));
  }

  @Override
  Future<JsonObject> restore(JsonObject before) {
    return removeRule();
  }

  /** Removes the item's rule; one that is not there (never put, or removed already) is no failure. */
  private Future<JsonObject> removeRule() {
    return request(Addresses.RULES_REMOVE, new JsonObject().put("name", scope.rule())).recover(e ->
        e instanceof ReplyException r && r.failureCode() == ControlError.NOT_FOUND ? Future.succeededFuture(new JsonObject()) : Future.failedFuture(e));
  }
}
