package io.faultline.admin.api;

import io.faultline.orchestration.OrchestratorVerticle;
import io.faultline.orchestration.report.ReportFormats;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The orchestration REST paths of reference 003, over the {@code faultline.orchestration.*} addresses.
 * Orchestrations are posted as they are written, YAML or JSON.
 */
public final class OrchestrationApi {

  private final ControlBus bus;
  private final EventBus eventBus;

  public OrchestrationApi(ControlBus bus, EventBus eventBus) {
    this.bus = bus;
    this.eventBus = eventBus;
  }

  public void mount(Router router) {
    String base = "/api/chaos/orchestration";
    router.post(base + "/validate").handler(ctx -> withText(ctx, text -> bus.forward(ctx, OrchestratorVerticle.VALIDATE, text), true));
    router.post(base + "/start").handler(ctx -> withText(ctx, text -> {
      JsonObject start = withVariables(ctx, text);
      if (start != null) {
        bus.forward(ctx, OrchestratorVerticle.START, start, 202, r -> r);
      }
    }, false));
    router.post(base + "/import").handler(ctx -> withText(ctx, text -> {
      JsonObject request = imported(ctx, text);
      if (request != null) {
        bus.forward(ctx, OrchestratorVerticle.LIBRARY_PUT, request);
      }
    }, true));
    router.post(base + "/library").handler(ctx -> withText(ctx, text -> bus.forward(ctx, OrchestratorVerticle.LIBRARY_PUT, text), true));
    router.post(base + "/stop").handler(ctx -> ControlBus.noBody(ctx, null, () -> bus.forward(ctx, OrchestratorVerticle.STOP, null)));
    router.get(base + "/status").handler(ctx -> bus.forward(ctx, OrchestratorVerticle.STATUS, null));
    router.get(base + "/reports").handler(ctx -> bus.forward(ctx, OrchestratorVerticle.REPORTS, null));
    router.get(base + "/reports/:id").handler(this::report);
    router.post(base + "/execute").handler(ctx -> ChaosApi.withBody(ctx, body -> bus.forward(ctx, OrchestratorVerticle.EXECUTE, body, 202, r -> r)));
    router.get(base + "/library").handler(ctx -> bus.forward(ctx, OrchestratorVerticle.LIBRARY_LIST, null));
    router.post(base + "/library/import").handler(ctx -> ChaosApi.withBody(ctx, body -> bus.forward(ctx, OrchestratorVerticle.LIBRARY_IMPORT, body)));
    router.post(base + "/library/export").handler(ctx -> ChaosApi.withBody(ctx, body -> bus.forward(ctx, OrchestratorVerticle.LIBRARY_EXPORT, body)));
    router.get(base + "/library/:name").handler(ctx ->
        bus.forward(ctx, OrchestratorVerticle.LIBRARY_GET, new JsonObject().put("name", ctx.pathParam("name"))));
    router.put(base + "/library/:name").handler(ctx -> withText(ctx, text ->
        bus.forward(ctx, OrchestratorVerticle.LIBRARY_PUT, text.put("name", ctx.pathParam("name"))), true));
    router.delete(base + "/library/:name").handler(ctx -> ControlBus.noBody(ctx, null, () ->
        bus.forward(ctx, OrchestratorVerticle.LIBRARY_DELETE, new JsonObject().put("name", ctx.pathParam("name")))));
  }

  private void report(RoutingContext ctx) {
    if (!ControlBus.params(ctx, "format")) {
      return;
    }
    String format = ctx.request().getParam("format", "json");
    if (!format.equals("json") && !format.equals("html") && !format.equals("junit")) {
      ApiError.badRequest(ctx, "format must be json, html or junit, got " + format, "format");
      return;
    }
    eventBus.<JsonObject>request(OrchestratorVerticle.REPORT, new JsonObject().put("id", ctx.pathParam("id"))).onComplete(ar -> {
      if (ar.failed()) {
        ApiError.fromFailure(ctx, ar.cause());
        return;
      }
      JsonObject report = ar.result().body();
      String body;
      try {
        body = switch (format) {
          case "html" -> ReportFormats.html(report);
          case "junit" -> ReportFormats.junit(report);
          default -> report.encodePrettily();
        };
      } catch (RuntimeException e) {
        // Every request is answered: a report that cannot be rendered is a logged 500, never silence.
        ApiError.fromFailure(ctx, e);
        return;
      }
      String type = switch (format) {
        case "html" -> "text/html; charset=utf-8";
        case "junit" -> "application/xml";
        default -> "application/json";
      };
      ctx.response().putHeader("Content-Type", type).end(body);
    });
  }

  /**
   * Reference 003's import body, {@code {"content": "...", "format": "yaml"}}, as the library's
   * {@code {"text", "format"}}; any other body is taken as the orchestration itself. Null after a 400: that
   * body with a key given twice, or another key beside them ({@code "fromat"} was dropped unseen).
   */
  private static JsonObject imported(RoutingContext ctx, JsonObject text) {
    String body = text.getString("text");
    if (!body.stripLeading().startsWith("{")) {
      return text;
    }
    java.util.Map<?, ?> json;
    try {
      // duplicate keys refused
      if (!(io.faultline.chaos.config.ChaosJson.readPlain(body.strip()) instanceof java.util.Map<?, ?> map)) {
        return text;
      }
      json = map;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      if (body.contains("\"content\"")) {
        ApiError.badRequest(ctx, io.faultline.chaos.config.ChaosJson.malformed(e), "body");
        return null;
      }
      return text; // not JSON after all: the library says what is wrong with it as an orchestration
    }
    if (!(json.get("content") instanceof String content)) {
      return text;
    }
    for (Object key : json.keySet()) {
      if (!key.equals("content") && !key.equals("format")) {
        ApiError.badRequest(ctx, "an import body takes content and format only, and would ignore " + key, String.valueOf(key));
        return null;
      }
    }
    JsonObject request = new JsonObject().put("text", content);
    return json.containsKey("format") ? request.put("format", json.get("format")) : request;
  }

  /**
   * {@code text} with the {@code ?variables=} a start gives (a JSON object, as {@code execute} takes), or null
   * when they are not one (answered with a 400 naming {@code variables}).
   */
  private static JsonObject withVariables(RoutingContext ctx, JsonObject text) {
    if (!ControlBus.params(ctx, "variables")) {
      return null;
    }
    String given = ctx.request().getParam("variables");
    if (given == null) {
      return text;
    }
    try {
      // read strictly, as every other JSON here: Vert.x's decoder took the last of a repeated key ({"delay":100,"delay":900} ran with 900)
      if (io.faultline.chaos.config.ChaosJson.readPlain(given) instanceof java.util.Map<?, ?> variables) {
        return text.put("variables", new JsonObject(io.faultline.chaos.config.ChaosJson.plainMap(variables)));
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
      ApiError.badRequest(ctx, "must be a JSON object of variables, like {\"delay\": 250}, got " + given + " ("
          + io.faultline.chaos.config.ChaosJson.malformed(e) + ")", "variables");
      return null;
    }
    ApiError.badRequest(ctx, "must be a JSON object of variables, like {\"delay\": 250}, got " + given, "variables");
    return null;
  }

  /**
   * Runs {@code action} with the orchestration the body holds; {@code noQuery}: a query parameter is refused, naming it
   * ({@code POST .../library?name=mine} stored the entry under the file's own name, and said nothing).
   */
  private static void withText(RoutingContext ctx, java.util.function.Consumer<JsonObject> action, boolean noQuery) {
    if (noQuery && !ControlBus.params(ctx)) {
      return;
    }
    String text = ctx.body().asString();
    if (text == null || text.isBlank()) {
      ApiError.badRequest(ctx, "the orchestration (YAML or JSON) is required as the request body", "body");
      return;
    }
    action.accept(new JsonObject().put("text", text));
  }
}
