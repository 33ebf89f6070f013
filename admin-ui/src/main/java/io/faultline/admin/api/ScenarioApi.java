package io.faultline.admin.api;

import io.faultline.chaos.control.Addresses;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * {@code GET /api/chaos/scenarios[/NAME]}, {@code POST /api/chaos/scenarios/NAME} (start),
 * {@code POST /api/chaos/scenarios/stop}, {@code POST /api/chaos/scenarios} (save),
 * {@code DELETE /api/chaos/scenarios/NAME}.
 */
public final class ScenarioApi {

  private final ControlBus bus;

  public ScenarioApi(ControlBus bus) {
    this.bus = bus;
  }

  public void mount(Router router) {
    router.get("/api/chaos/scenarios").handler(ctx -> bus.forward(ctx, Addresses.SCENARIO_LIST, null));
    router.get("/api/chaos/scenarios/:name").handler(ctx -> bus.forward(ctx, Addresses.SCENARIO_LIST, null, 200, list -> {
      JsonArray all = list.getJsonArray("scenarios");
      for (int i = 0; i < all.size(); i++) {
        if (all.getJsonObject(i).getString("name").equals(ctx.pathParam("name"))) {
          return all.getJsonObject(i);
        }
      }
      return null;
    }));
    router.post("/api/chaos/scenarios/stop").handler(ctx -> ControlBus.noBody(ctx, null, () -> bus.forward(ctx, Addresses.SCENARIO_STOP, null)));
    router.post("/api/chaos/scenarios/:name").handler(ctx -> ControlBus.noBody(ctx,
        "a scenario runs until POST /api/chaos/scenarios/stop (an orchestration step runs one for a duration)",
        () -> bus.forward(ctx, Addresses.SCENARIO_START, new JsonObject().put("name", ctx.pathParam("name")))));
    router.post("/api/chaos/scenarios").handler(ctx -> ChaosApi.withBody(ctx, body ->
        bus.forward(ctx, Addresses.SCENARIO_SAVE, body, 201, saved -> saved)));
    router.delete("/api/chaos/scenarios/:name").handler(ctx -> ControlBus.noBody(ctx, null, () ->
        bus.forward(ctx, Addresses.SCENARIO_DELETE, new JsonObject().put("name", ctx.pathParam("name")))));
  }
}
