package io.faultline.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.chaos.control.Addresses;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Scripts drive the same control plane over the event bus: every change replies and is published. */
class EventBusControlTest {

  @Test
  void setSectionRepliesWithStatusAndPublishesTheChange() {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      var bus = gw.gateway.vertx().eventBus();
      List<JsonObject> changes = new CopyOnWriteArrayList<>();
      bus.<JsonObject>consumer(Addresses.CHAOS_CHANGED, m -> changes.add(m.body())).completion().await();
      bus.request(Addresses.CHAOS_ENABLE, null).await();
      JsonObject status = bus.<JsonObject>request(Addresses.CHAOS_SET, new JsonObject()
          .put("section", "fault_injection")
          .put("config", new JsonObject().put("http_errors", List.of(500)).put("http_error_probability", 1.0))).await().body();
      assertThat(status.getJsonArray("active_faults")).contains("http_error");
      assertThat(gw.traffic("/x").statusCode()).isEqualTo(500);
      assertThat(changes).hasSize(2);
      assertThat(changes.get(1).getLong("version")).isEqualTo(status.getLong("version"));
      JsonObject started = bus.<JsonObject>request(Addresses.SCENARIO_START, new JsonObject().put("name", "peak_traffic")).await().body();
      assertThat(started.getString("scenario")).isEqualTo("peak_traffic");
    }
  }

  @Test
  void invalidRequestsFailWithTheRestErrorShape() {
    try (GatewayFixture gw = new GatewayFixture(Map.of())) {
      var bus = gw.gateway.vertx().eventBus();
      assertThatThrownBy(() -> bus.request(Addresses.CHAOS_SET, new JsonObject()
          .put("section", "rate_limit").put("config", new JsonObject().put("requests_per_second", -1))).await())
          .isInstanceOfSatisfying(ReplyException.class, e -> {
            assertThat(e.failureCode()).isEqualTo(400);
            JsonObject error = new JsonObject(e.getMessage());
            assertThat(error.getString("field")).isEqualTo("rate_limit.requests_per_second");
          });
      assertThatThrownBy(() -> bus.request(Addresses.SCENARIO_START, new JsonObject()).await())
          .isInstanceOfSatisfying(ReplyException.class, e -> assertThat(new JsonObject(e.getMessage()).getString("field")).isEqualTo("name"));
    }
  }
}
