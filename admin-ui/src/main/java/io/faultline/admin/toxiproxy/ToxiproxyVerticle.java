package io.faultline.admin.toxiproxy;

import io.faultline.admin.AdminVerticle;
import io.faultline.admin.SameOrigin;
import io.faultline.chaos.config.Hosts;
import io.faultline.chaos.listener.BindFailures;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.logging.Logger;

/**
 * Toxiproxy's HTTP API on a port of its own, so Toxiproxy's clients (Java, Node, Go, Ruby, Testcontainers)
 * drive Faultline unchanged: a thin layer over the event-bus addresses ({@link ProxyApi}, {@link ToxicApi}).
 * Off unless configured; 127.0.0.1 by default. Toxiproxy's clients send no token, so with no admin token
 * it is open (on loopback), and with one every request needs {@code Authorization: Bearer TOKEN}. Like
 * Toxiproxy it refuses browsers (a page could otherwise post to it), and bodies over 1 MiB.
 */
public final class ToxiproxyVerticle extends VerticleBase {

  /** The version {@code GET /version} answers: Toxiproxy's API version this speaks, and Faultline's own. */
  public static final String VERSION = "2.12.0 (faultline)";

  private static final Logger LOG = Logger.getLogger(ToxiproxyVerticle.class.getName());

  private final ToxiproxyConfig config;
  private final String token;
  private HttpServer server;

  /** {@code token} is the admin token (null: none). */
  public ToxiproxyVerticle(ToxiproxyConfig config, String token) {
    this.config = config;
    this.token = token;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.route().handler(this::guard);
    router.route().handler(AdminVerticle::formIsRaw); // Toxiproxy reads a body whatever its label: curl -d's too
    router.route().handler(BodyHandler.create(false).setBodyLimit(AdminVerticle.MAX_BODY_BYTES));
    router.get("/version").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json;charset=utf-8")
        .end(new JsonObject().put("version", VERSION).encode() + "\n"));
    Proxies proxies = new Proxies(vertx.eventBus());
    new ProxyApi(proxies).mount(router);
    new ToxicApi(proxies).mount(router);
    router.errorHandler(404, ctx -> Answers.send(ctx, 404, ToxiproxyError.of(404, "no such endpoint: " + ctx.request().method()
        + " " + ctx.request().path()).body()));
    router.errorHandler(405, ctx -> Answers.send(ctx, 405, ToxiproxyError.of(405, "method " + ctx.request().method()
        + " not allowed on " + ctx.request().path()).body()));
    router.errorHandler(413, ctx -> Answers.send(ctx, 413, ToxiproxyError.of(413, "request body larger than "
        + AdminVerticle.MAX_BODY_BYTES + " bytes").body()));
    router.errorHandler(400, ctx -> Answers.send(ctx, 400, ToxiproxyError.of(400, ctx.failure() == null || ctx.failure().getMessage() == null
        ? "bad request" : "bad request: " + ctx.failure().getMessage()).body()));
    router.errorHandler(500, ctx -> Answers.fail(ctx, ctx.failure()));
    server = vertx.createHttpServer(new HttpServerOptions().setHost(config.host()).setPort(config.port())).requestHandler(router);
    return BindFailures.named(server.listen(), "toxiproxy", config.host(), config.port()).onSuccess(s -> {
      LOG.info(() -> "Toxiproxy API on http://" + config.host() + ":" + s.actualPort() + "/" + (token == null ? "" : " (bearer token required)"));
      if (token == null && !Hosts.loopback(config.host())) { // as the admin API warns: it opens relays to any upstream
        LOG.warning(() -> "the Toxiproxy API listens on " + config.host() + ", beyond this machine, with no token: anyone who "
            + "reaches port " + s.actualPort() + " can open relays and inject toxics. Set --admin-token (admin.token).");
      }
    });
  }

  public int actualPort() {
    return server.actualPort();
  }

  /**
   * Refuses browsers, as Toxiproxy does, and requests without the admin token when there is one. A page
   * whose DNS name was rebound to this port is same-origin to its browser, which lets its script set its own
   * User-Agent: on loopback only loopback names are answered, and a request that says it comes from a page
   * (Origin; Toxiproxy's clients send none) is refused, as the admin port does.
   */
  private void guard(RoutingContext ctx) {
    String agent = ctx.request().getHeader("User-Agent");
    if (agent != null && agent.startsWith("Mozilla/")) {
      Answers.send(ctx, 403, ToxiproxyError.of(403, "User agent not allowed").body());
      return;
    }
    String host = SameOrigin.foreignName(config.host(), ctx.request());
    if (host != null) {
      Answers.send(ctx, 403, ToxiproxyError.of(403, "request for host " + host + " refused: this port answers only"
          + " localhost, 127.0.0.1 or [::1]").body());
      return;
    }
    if (ctx.request().getHeader("Origin") != null) {
      Answers.send(ctx, 403, ToxiproxyError.of(403, "requests from web pages (Origin " + ctx.request().getHeader("Origin")
          + ") are not allowed").body());
      return;
    }
    if (token != null && !AdminVerticle.bearer(token, ctx.request().getHeader("Authorization"))) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      Answers.send(ctx, 401, ToxiproxyError.of(401, "a valid bearer token is required (Authorization: Bearer TOKEN)").body());
      return;
    }
    ctx.next();
  }
}
