package io.faultline.admin.api;

import io.faultline.chaos.config.ChaosSections;
import io.faultline.chaos.control.Addresses;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code /api/chaos/status|enable|disable|reset|config[/SECTION]|rules} and {@code /api/config/reload}. */
public final class ChaosApi {

  private final ControlBus bus;

  public ChaosApi(ControlBus bus) {
    this.bus = bus;
  }

  public void mount(Router router) {
    router.get("/api/chaos/status").handler(ctx -> bus.forward(ctx, Addresses.CHAOS_STATUS, null));
    router.post("/api/chaos/enable").handler(ctx -> ControlBus.noBody(ctx, "PUT /api/chaos/config sets what chaos does",
        () -> bus.forward(ctx, Addresses.CHAOS_ENABLE, null)));
    router.post("/api/chaos/disable").handler(ctx -> ControlBus.noBody(ctx, null, () -> bus.forward(ctx, Addresses.CHAOS_DISABLE, null)));
    router.post("/api/chaos/reset").handler(ctx -> ControlBus.noBody(ctx, null, () -> bus.forward(ctx, Addresses.CHAOS_RESET, null)));
    router.get("/api/chaos/config").handler(ctx -> bus.forward(ctx, Addresses.CHAOS_GET, null));
    router.get("/api/chaos/changes").handler(this::changes);
    router.put("/api/chaos/config").handler(ctx -> withBody(ctx, body -> bus.forward(ctx, Addresses.CHAOS_SET, body)));
    router.get("/api/chaos/config/:section").handler(this::getSection);
    router.put("/api/chaos/config/:section").handler(this::putSection);
    router.delete("/api/chaos/config/:section").handler(this::clearSection);
    router.get("/api/chaos/rules").handler(ctx -> bus.forward(ctx, Addresses.RULES_LIST, null));
    router.post("/api/chaos/rules").handler(ctx -> withBody(ctx, body -> bus.forward(ctx, Addresses.RULES_PUT, body, 201,
        status -> status)));
    router.get("/api/chaos/rules/:name").handler(ctx -> bus.forward(ctx, Addresses.RULES_LIST, null, 200,
        list -> list.getJsonArray("rules").stream().map(JsonObject.class::cast)
            .filter(rule -> ctx.pathParam("name").equals(rule.getString("name"))).findFirst().orElse(null),
        "no rule named " + ctx.pathParam("name")));
    router.put("/api/chaos/rules/:name").handler(ctx -> withBody(ctx, body -> bus.forward(ctx, Addresses.RULES_REPLACE,
        new JsonObject().put("name", ctx.pathParam("name")).put("rule", body))));
    router.delete("/api/chaos/rules/:name").handler(ctx -> ControlBus.noBody(ctx, null, () ->
        bus.forward(ctx, Addresses.RULES_REMOVE, new JsonObject().put("name", ctx.pathParam("name")))));
    router.post("/api/config/reload").handler(ctx -> ControlBus.noBody(ctx, "it reloads the file the node was started with (serve --config)",
        () -> bus.forward(ctx, Addresses.CONFIG_RELOAD, null)));
    router.get("/api/cluster/nodes").handler(ctx -> bus.forward(ctx, Addresses.CLUSTER_NODES, null));
    router.get("/api/cluster/leader").handler(ctx -> bus.forward(ctx, Addresses.CLUSTER_LEADER, null));
    router.get("/api/cluster/tasks").handler(ctx -> bus.forward(ctx, Addresses.TASKS_LIST, null));
    router.post("/api/cluster/tasks").handler(ctx -> withBody(ctx, body -> bus.forward(ctx, Addresses.TASKS_SUBMIT, body, 201, task -> task)));
    router.get("/api/cluster/tasks/:id").handler(ctx ->
        bus.forward(ctx, Addresses.TASKS_GET, new JsonObject().put("id", ctx.pathParam("id"))));
    router.delete("/api/cluster/tasks/:id").handler(ctx -> ControlBus.noBody(ctx, null, () ->
        bus.forward(ctx, Addresses.TASKS_DELETE, new JsonObject().put("id", ctx.pathParam("id")))));
    router.post("/api/cluster/tasks/:id/cancel").handler(ctx -> ControlBus.noBody(ctx, null, () ->
        bus.forward(ctx, Addresses.TASKS_CANCEL, new JsonObject().put("id", ctx.pathParam("id")))));
  }

  private void getSection(RoutingContext ctx) {
    String section = ctx.pathParam("section");
    if (!ChaosSections.NAMES.contains(section)) {
      ApiError.send(ctx, 404, "unknown section " + section + ", expected one of " + ChaosSections.NAMES, "section");
      return;
    }
    bus.forward(ctx, Addresses.CHAOS_GET, null, 200, config -> {
      Object value = config.getValue(section);
      return value == null ? new JsonObject().put("configured", false) : value;
    });
  }

  private void putSection(RoutingContext ctx) {
    String section = ctx.pathParam("section");
    if (!ChaosSections.NAMES.contains(section)) {
      ApiError.send(ctx, 404, "unknown section " + section + ", expected one of " + ChaosSections.NAMES, "section");
      return;
    }
    withBody(ctx, body -> bus.forward(ctx, Addresses.CHAOS_SET, new JsonObject().put("section", section).put("config", body)));
  }

  /**
   * {@code DELETE /api/chaos/config/SECTION}: the section cleared, in one change that keeps the rest and the
   * active scenario (the console's "Clear" wrote the whole config back, which ended the scenario and lost its
   * restore point, and overwrote any change made between its read and its write).
   */
  private void clearSection(RoutingContext ctx) {
    String section = ctx.pathParam("section");
    if (!ChaosSections.NAMES.contains(section)) {
      ApiError.send(ctx, 404, "unknown section " + section + ", expected one of " + ChaosSections.NAMES, "section");
      return;
    }
    ControlBus.noBody(ctx, null, () -> bus.forward(ctx, Addresses.CHAOS_SET, new JsonObject().put("section", section).putNull("config")));
  }

  /** {@code GET /api/chaos/changes?limit=N}: the node's newest chaos changes (1..200, default 50), newest first. */
  private void changes(RoutingContext ctx) {
    if (!ControlBus.params(ctx, "limit")) {
      return;
    }
    String param = ctx.request().getParam("limit");
    int limit;
    try {
      limit = param == null ? 50 : Integer.parseInt(param.trim());
    } catch (NumberFormatException e) {
      limit = 0;
    }
    if (limit < 1 || limit > 200) {
      ApiError.badRequest(ctx, "must be a whole number from 1 to 200, got " + param, "limit");
      return;
    }
    bus.forward(ctx, Addresses.CHAOS_CHANGES, new JsonObject().put("limit", limit));
  }

  /**
   * Runs {@code action} with the request's JSON body. A query parameter is refused, naming it, as a bodiless request's
   * is: {@code PUT /api/chaos/config/latency?dry_run=true} applied the change, and said nothing of the parameter.
   */
  static void withBody(RoutingContext ctx, java.util.function.Consumer<JsonObject> action) {
    if (!ControlBus.params(ctx)) {
      return;
    }
    JsonObject body = ControlBus.jsonBody(ctx);
    if (body != null) {
      action.accept(body);
    }
  }
}
