package io.faultline.orchestration.run;

import io.faultline.chaos.control.Addresses;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

/**
 * A run's requests to the control addresses: each says where it comes from
 * ({@link Addresses#SOURCE_HEADER} {@code orchestration:RUN_ID}, so the chaos change log names the run)
 * and gives up after {@link #TIMEOUT_MS}.
 */
final class ControlBus {

  static final long TIMEOUT_MS = 10_000;

  private final EventBus bus;
  private final DeliveryOptions options;

  ControlBus(EventBus bus, String runId) {
    this.bus = bus;
    this.options = new DeliveryOptions().addHeader(Addresses.SOURCE_HEADER, "orchestration:" + runId).setSendTimeout(TIMEOUT_MS);
  }

  Future<JsonObject> request(String address, JsonObject body) {
    return bus.<JsonObject>request(address, body, options).map(m -> m.body());
  }
}
