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
    get(router, base + "/runs", HistoryAddresses.RUNS, null);
    get(router, base + "/runs/:id", HistoryAddresses.RUN, "id");
    get(router, base + "/trends/:name", HistoryAddresses.TRENDS, "name");
    get(router, base + "/compare", HistoryAddresses.COMPARE, null);
    get(router, base + "/summary", HistoryAddresses.SUMMARY, null);
    router.get(base + "/export").handler(this::export);
    router.post(base + "/ab").handler(ctx -> ChaosApi.withBody(ctx, body -> bus.forward(ctx, HistoryAddresses.AB, body, 202, r -> r)));
    router.post(base + "/breaking-point").handler(ctx ->
        ChaosApi.withBody(ctx, body -> bus.forward(ctx, HistoryAddresses.BREAKING_POINT, body, 202, r -> r)));
    get(router, base + "/experiments", HistoryAddresses.EXPERIMENTS, null);
    get(router, base + "/experiments/:id", HistoryAddresses.EXPERIMENT, "id");
    router.post(base + "/experiments/:id/stop").handler(ctx -> ControlBus.noBody(ctx, null, () ->
        bus.forward(ctx, HistoryAddresses.EXPERIMENT_STOP, new JsonObject().put("id", ctx.pathParam("id")))));
    get(router, base + "/changes", HistoryAddresses.CHANGES, null);
    get(router, base + "/windows", HistoryAddresses.WINDOWS, null);
    router.post("/api/recorder/search").handler(ctx -> ChaosApi.withBody(ctx, body -> bus.forward(ctx, HistoryAddresses.RECORDER_SEARCH, body)));
    get(router, "/api/analytics/anomalies", HistoryAddresses.ANOMALIES, null);
    get(router, "/api/analytics/trends/:metric", HistoryAddresses.ANALYTICS_TRENDS, "metric");
    get(router, "/api/analytics/health", HistoryAddresses.HEALTH, null);
    get(router, "/api/analytics/insights", HistoryAddresses.INSIGHTS, null);
  }

  /** {@code GET /api/history/export?format=csv|json}: the file itself, CSV as an attachment a spreadsheet opens. */
  private void export(RoutingContext ctx) {
    JsonObject q = ControlBus.query(ctx);
    if (q == null) {
      return;
    }
    // as the other routes send: to this node's history (a cluster lookup before, a hung member waited for) and with the
    // store's reply time, not the event bus's default 30 s
    eventBus.<JsonObject>request(HistoryAddresses.EXPORT, q, new io.vertx.core.eventbus.DeliveryOptions()
        .setSendTimeout(io.faultline.chaos.control.Addresses.replyTimeoutMs(q)).setLocalOnly(true)).onComplete(ar -> {
      if (ar.failed()) {
        ApiError.fromFailure(ctx, ar.cause());
        return;
      }
      JsonObject file = ar.result().body();
      if ("csv".equals(file.getString("format"))) {
        ctx.response().putHeader("Content-Disposition", "attachment; filename=\"faultline-history.csv\"");
      }
      if (file.getString("truncated") != null) {
        ctx.response().putHeader("X-Faultline-Truncated", file.getString("truncated"));
      }
      ctx.response().putHeader("Content-Type", file.getString("content_type")).end(file.getString("body"));
    });
  }

  /** {@code GET path}: its query parameters (and the path parameter {@code param}, when not null) to {@code address}. */
  private void get(Router router, String path, String address, String param) {
    router.get(path).handler(ctx -> {
      JsonObject q = ControlBus.query(ctx);
      if (q == null) {
        return;
      }
      if (param != null && q.containsKey(param)) {
        ApiError.send(ctx, 400, "query parameter " + param + " repeats the path's " + param + "; give it in the path only", param);
        return;
      }
      bus.forward(ctx, address, param == null ? q : q.put(param, ctx.pathParam(param)));
    });
  }

}
