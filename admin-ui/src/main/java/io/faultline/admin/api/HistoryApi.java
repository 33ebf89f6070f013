package io.faultline.admin.api;

import io.faultline.history.HistoryAddresses;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * History ({@code /api/history/*}), the flight recorder ({@code POST /api/recorder/search}, reference 001)
 * and analytics ({@code /api/analytics/*}, reference 000), over the {@link HistoryAddresses}: query
 * parameters and path parameters become the request body's fields, checked by the history verticle.
 */
public final class HistoryApi {

  private final ControlBus bus;
  private final EventBus eventBus;

  public HistoryApi(ControlBus bus, EventBus eventBus) {
    this.bus = bus;
    this.eventBus = eventBus;
  }

  public void mount(Router router) {
    String base = "/api/history";
    router.get(base + "/runs").handler(ctx -> bus.forward(ctx, HistoryAddresses.RUNS, query(ctx)));
    router.get(base + "/runs/:id").handler(ctx -> bus.forward(ctx, HistoryAddresses.RUN, query(ctx).put("id", ctx.pathParam("id"))));
    router.get(base + "/trends/:name").handler(ctx ->
        bus.forward(ctx, HistoryAddresses.TRENDS, query(ctx).put("name", ctx.pathParam("name"))));
    router.get(base + "/compare").handler(ctx -> bus.forward(ctx, HistoryAddresses.COMPARE, query(ctx)));
    router.get(base + "/summary").handler(ctx -> bus.forward(ctx, HistoryAddresses.SUMMARY, query(ctx)));
    router.get(base + "/export").handler(this::export);
    router.post(base + "/ab").handler(ctx -> ChaosApi.withBody(ctx, body -> bus.forward(ctx, HistoryAddresses.AB, body, 202, r -> r)));
    router.post(base + "/breaking-point").handler(ctx ->
        ChaosApi.withBody(ctx, body -> bus.forward(ctx, HistoryAddresses.BREAKING_POINT, body, 202, r -> r)));
    router.get(base + "/experiments").handler(ctx -> bus.forward(ctx, HistoryAddresses.EXPERIMENTS, query(ctx)));
    router.get(base + "/experiments/:id").handler(ctx ->
        bus.forward(ctx, HistoryAddresses.EXPERIMENT, query(ctx).put("id", ctx.pathParam("id"))));
    router.post(base + "/experiments/:id/stop").handler(ctx ->
        bus.forward(ctx, HistoryAddresses.EXPERIMENT_STOP, new JsonObject().put("id", ctx.pathParam("id"))));
    router.get(base + "/changes").handler(ctx -> bus.forward(ctx, HistoryAddresses.CHANGES, query(ctx)));
    router.get(base + "/windows").handler(ctx -> bus.forward(ctx, HistoryAddresses.WINDOWS, query(ctx)));
    router.post("/api/recorder/search").handler(ctx -> ChaosApi.withBody(ctx, body -> bus.forward(ctx, HistoryAddresses.RECORDER_SEARCH, body)));
    router.get("/api/analytics/anomalies").handler(ctx -> bus.forward(ctx, HistoryAddresses.ANOMALIES, query(ctx)));
    router.get("/api/analytics/trends/:metric").handler(ctx ->
        bus.forward(ctx, HistoryAddresses.ANALYTICS_TRENDS, query(ctx).put("metric", ctx.pathParam("metric"))));
    router.get("/api/analytics/health").handler(ctx -> bus.forward(ctx, HistoryAddresses.HEALTH, query(ctx)));
    router.get("/api/analytics/insights").handler(ctx -> bus.forward(ctx, HistoryAddresses.INSIGHTS, query(ctx)));
  }

  /** {@code GET /api/history/export?format=csv|json}: the file itself, CSV as an attachment a spreadsheet opens. */
  private void export(RoutingContext ctx) {
    eventBus.<JsonObject>request(HistoryAddresses.EXPORT, query(ctx)).onComplete(ar -> {
      if (ar.failed()) {
        ApiError.fromFailure(ctx, ar.cause());
        return;
      }
      JsonObject file = ar.result().body();
      if ("csv".equals(file.getString("format"))) {
        ctx.response().putHeader("Content-Disposition", "attachment; filename=\"faultline-history.csv\"");
      }
      ctx.response().putHeader("Content-Type", file.getString("content_type")).end(file.getString("body"));
    });
  }

  /** The query parameters as a JSON object (each parameter's first value, as text). */
  private static JsonObject query(RoutingContext ctx) {
    JsonObject body = new JsonObject();
    ctx.queryParams().names().forEach(name -> body.put(name, ctx.queryParams().get(name)));
    return body;
  }
}
