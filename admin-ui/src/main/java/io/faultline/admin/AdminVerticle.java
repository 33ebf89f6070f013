package io.faultline.admin;

import io.faultline.admin.api.ApiError;
import io.faultline.admin.api.ChaosApi;
import io.faultline.admin.api.ControlBus;
import io.faultline.admin.api.HistoryApi;
import io.faultline.admin.api.OrchestrationApi;
import io.faultline.admin.api.ScenarioApi;
import io.faultline.admin.graphql.GraphQlApi;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The admin API: REST over the event-bus control addresses, on 127.0.0.1:9000 unless configured
 * otherwise. With a token, every route but {@code /health} needs {@code Authorization: Bearer TOKEN}.
 * Bodies over 1 MiB get 413; unknown paths 404 and wrong methods 405, all as JSON errors.
 */
public final class AdminVerticle extends VerticleBase {

  /** The largest request body the admin API reads. */
  public static final long MAX_BODY_BYTES = 1024 * 1024;

  private static final Logger LOG = Logger.getLogger(AdminVerticle.class.getName());

  private final AdminConfig config;
  private final Supplier<String> metrics;
  private HttpServer server;

  public AdminVerticle(AdminConfig config) {
    this(config, () -> "");
  }

  /** {@code metrics} renders {@code /metrics} in the Prometheus text format. */
  public AdminVerticle(AdminConfig config, Supplier<String> metrics) {
    this.config = config;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/health").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")));
    router.route().handler(this::authorize);
    router.route().handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        .end(metrics.get()));
    ControlBus bus = new ControlBus(vertx.eventBus());
    new ChaosApi(bus).mount(router);
    new ScenarioApi(bus).mount(router);
    new OrchestrationApi(bus, vertx.eventBus()).mount(router);
    new HistoryApi(bus, vertx.eventBus()).mount(router);
    new GraphQlApi(vertx.eventBus()).mount(router);
    router.errorHandler(404, ctx -> ApiError.send(ctx, 404, "no such endpoint: " + ctx.request().method() + " " + ctx.request().path(), null));
    router.errorHandler(405, ctx -> ApiError.send(ctx, 405, "method " + ctx.request().method() + " not allowed on " + ctx.request().path(), null));
    router.errorHandler(413, ctx -> ApiError.send(ctx, 413, "request body larger than " + MAX_BODY_BYTES + " bytes", "body"));
    router.errorHandler(500, ctx -> ApiError.fromFailure(ctx, ctx.failure()));
    server = vertx.createHttpServer(new HttpServerOptions().setHost(config.host()).setPort(config.port())
        .addWebSocketSubProtocol(GraphQlApi.WS_PROTOCOL)).requestHandler(router);
    return server.listen().onSuccess(s -> LOG.info(() -> "admin API on http://" + config.host() + ":" + s.actualPort()
        + (config.token() == null ? "" : " (bearer token required)")));
  }

  public int actualPort() {
    return server.actualPort();
  }

  private void authorize(RoutingContext ctx) {
    if (config.token() == null) {
      ctx.next();
      return;
    }
    String header = ctx.request().getHeader("Authorization");
    String expected = "Bearer " + config.token();
    if (header != null && MessageDigest.isEqual(header.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8))) {
      ctx.next();
      return;
    }
    ctx.response().putHeader("WWW-Authenticate", "Bearer");
    ApiError.send(ctx, 401, "a valid bearer token is required (Authorization: Bearer TOKEN)", null);
  }
}
