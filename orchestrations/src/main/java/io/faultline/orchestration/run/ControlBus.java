package io.faultline.orchestration.run;

import io.faultline.chaos.control.Addresses;
import io.faultline.chaos.control.InternalAddresses;
import io.faultline.orchestration.model.MetricNames;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * A run's requests to the control addresses, by what the run means: read what to put back, apply a
 * step's chaos, put back. This one changes the node's (in a cluster, the cluster's) whole config;
 * {@link ScopedControlBus} turns the same requests into one task item's rule. Each request says where it
 * comes from ({@link Addresses#SOURCE_HEADER}, so the chaos change log names the run) and gives up after
 * {@link #TIMEOUT_MS}.
 */
class ControlBus {

  static final long TIMEOUT_MS = 10_000;

  private final EventBus bus;
  private final DeliveryOptions options;
  private final String source;

  /** The bus for run {@code runId}: {@code scope} null for the whole config, else that task item's rule. */
  static ControlBus of(EventBus bus, String runId, RunScope scope) {
    return scope == null ? new ControlBus(bus, "orchestration:" + runId) : new ScopedControlBus(bus, scope);
  }

  ControlBus(EventBus bus, String source) {
    this.bus = bus;
    this.source = source;
    this.options = new DeliveryOptions().addHeader(Addresses.SOURCE_HEADER, source).setSendTimeout(TIMEOUT_MS);
  }

  /** The source its changes carry ({@code orchestration:RUN_ID}, {@code task:ID}), as the change log shows it. */
  String source() {
    return source;
  }

  /** What {@link #restore} puts back when the run ends: {@code {"config", "before_scenario"}}. */
  Future<JsonObject> before() {
    return request(InternalAddresses.CHAOS_SAVED, null);
  }

  /** The node's scenarios, built in and saved ({@code faultline.scenario.list}). */
  Future<JsonObject> scenarios() {
    return request(Addresses.SCENARIO_LIST, null);
  }

  /** Starts the known scenario {@code name}, whose chaos is {@code chaos} (its sections, switched on). */
  Future<JsonObject> startScenario(String name, Map<String, Object> chaos) {
    return request(Addresses.SCENARIO_START, new JsonObject().put("name", name));
  }

  /** Applies a step's chaos: a whole config ({@code enabled} and sections). */
  Future<JsonObject> apply(Map<String, Object> config) {
    return request(Addresses.CHAOS_SET, new JsonObject(config));
  }

  /**
   * Puts back {@code before}, but not its rules: a run changes no rules, and rules put meanwhile (a
   * distributed task's, a user's) stay.
   */
  Future<JsonObject> restore(JsonObject before) {
    // a checkpoint written before the scenario was saved with it holds the config alone
    JsonObject saved = before.getValue("config") instanceof JsonObject ? before : new JsonObject().put("config", before);
    return request(InternalAddresses.CHAOS_RESTORE, InternalAddresses.restoring(saved));
  }

  /**
   * What the node's traffic saw between {@code from} and {@code to}: the requests that started and ended in
   * it (one a step before still held, ending in this step, was the step before's chaos, not this one's).
   */
  Future<JsonObject> window(long from, long to) {
    return window(from, to, from);
  }

  /**
   * What the node's traffic saw between {@code from} and {@code to}: the requests that ended in it and started after
   * {@code startedAfter} (an abort guard's: the run's start, so a request slower than the guard's window counts).
   */
  Future<JsonObject> window(long from, long to, long startedAfter) {
    return request(MetricNames.WINDOW_ADDRESS, new JsonObject().put("from", from).put("to", to).put("started_after", startedAfter))
        .map(ControlBus::unmeasured);
  }

  /**
   * A window without a request measured no rate and no latency: those are null, not 0, so an assertion on them
   * fails (saying so) rather than pass a run whose traffic never went through the gateway.
   */
  static JsonObject unmeasured(JsonObject window) {
    if (window.getValue("request_count") instanceof Number n && n.longValue() == 0) {
      for (String metric : MetricNames.MEASURED) {
        window.putNull(metric);
      }
    }
    return window;
  }

  final Future<JsonObject> request(String address, JsonObject body) {
    return bus.<JsonObject>request(address, body, options).map(m -> m.body());
  }
}
