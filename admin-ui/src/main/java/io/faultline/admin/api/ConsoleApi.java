package io.faultline.admin.api;

import io.faultline.chaos.control.Addresses;
import io.faultline.chaos.config.ChaosConfigException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.function.UnaryOperator;

/**
 * What the console needs beyond the control API, usable by any client: {@code GET /api/chaos/schema}
 * (the fields of each config section, see {@link ConfigSchema}), {@code POST
 * /api/chaos/orchestration/convert?to=yaml|json} (an orchestration file in the other format, see
 * {@link OrchestrationDocuments}) and {@code GET /api/traffic/recent?seconds=N} (the node's traffic
 * summaries of the last N seconds, see {@link Addresses#TRAFFIC_RECENT}).
 */
public final class ConsoleApi {

  private static final JsonObject SCHEMA = ConfigSchema.describe();

  private final ControlBus bus;

  public ConsoleApi(ControlBus bus) {
    this.bus = bus;
  }

  public void mount(Router router) {
    router.get("/api/chaos/schema").handler(ctx -> ctx.json(SCHEMA));
    router.post("/api/chaos/orchestration/convert").handler(this::convert);
    router.get("/api/traffic/recent").handler(this::recent);
  }

  private void convert(RoutingContext ctx) {
    if (!ControlBus.params(ctx, "to")) {
      return;
    }
    String to = ctx.request().getParam("to", "");
    UnaryOperator<String> conversion = switch (to) {
      case "yaml" -> OrchestrationDocuments::toYaml;
      case "json" -> OrchestrationDocuments::toJson;
      default -> null;
    };
    if (conversion == null) {
      ApiError.badRequest(ctx, "must be yaml or json, got " + to, "to");
      return;
    }
    String converted;
    try {
      converted = conversion.apply(ctx.body().asString());
    } catch (ChaosConfigException e) {
      ApiError.badRequest(ctx, e.getMessage(), e.field());
      return;
    }
    ctx.response().putHeader("Content-Type", to.equals("yaml") ? "application/yaml; charset=utf-8" : "application/json")
        .end(converted);
  }

  private void recent(RoutingContext ctx) {
    if (!ControlBus.params(ctx, "seconds")) {
      return;
    }
    String param = ctx.request().getParam("seconds", "120");
    long seconds;
    try {
      seconds = Long.parseLong(param.trim());
    } catch (NumberFormatException e) {
      ApiError.badRequest(ctx, "must be a whole number from 1 to 300, got " + param, "seconds");
      return;
    }
    bus.forward(ctx, Addresses.TRAFFIC_RECENT, new JsonObject().put("seconds", seconds));
  }
}
