package io.faultline.admin;

import io.faultline.admin.api.ApiError;
import io.faultline.admin.api.ChaosApi;
import io.faultline.admin.api.ConsoleApi;
import io.faultline.admin.console.ConsoleRoutes;
import io.faultline.admin.api.ControlBus;
import io.faultline.admin.api.HistoryApi;
import io.faultline.admin.api.ListenerApi;
import io.faultline.admin.api.OrchestrationApi;
import io.faultline.admin.api.ScenarioApi;
import io.faultline.admin.graphql.GraphQlApi;
import io.faultline.chaos.config.SafeYaml;
import io.faultline.chaos.listener.BindFailures;
import io.faultline.chaos.listener.ServerTls;
import io.faultline.chaos.listener.UnreadableHeads;
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
 * The admin API and the web console: REST over the event-bus control addresses, on 127.0.0.1:9000
 * unless configured otherwise. With a token, every route but {@code /health} and the console's own
 * files needs {@code Authorization: Bearer TOKEN} (a GraphQL WebSocket may instead give it in its
 * {@code connection_init}, as browsers cannot set that header). Browser requests from other origins
 * that change something, and on loopback requests for another host name, are refused ({@link SameOrigin}). Bodies over 4 MiB (what a config file may hold) get 413; unknown paths 404
 * and wrong methods 405, all as JSON errors.
 */
public final class AdminVerticle extends VerticleBase {

  /** Sent on every admin answer, so a client (the CLI) can tell it reached a Faultline admin API and not a traffic port. */
  public static final String ADMIN_HEADER = "X-Faultline-Admin";

  /**
   * The largest request body the admin API reads: what a config file may hold, so a config read from
   * {@code GET /api/chaos/config} (which writes every default out) can always be put back.
   */
  public static final long MAX_BODY_BYTES = SafeYaml.MAX_CHARS;

  private static final Logger LOG = Logger.getLogger(AdminVerticle.class.getName());

  private final AdminConfig config;
  private final Supplier<String> metrics;
  /** What {@code /health} says: STARTING, UP (the only 200), DRAINING. */
  private volatile String status = "STARTING";
  private HttpServer server;
  private long certificateWatch = -1;

  /** An admin API that is ready at once (nothing else to wait for). */
  public AdminVerticle(AdminConfig config) {
    this(config, () -> "");
    ready();
  }

  /**
   * {@code metrics} renders {@code /metrics} in the Prometheus text format. {@code /health} answers 503
   * {@code STARTING} until {@link #ready} is called (the API comes up before the node's listeners), and 503
   * {@code DRAINING} once {@link #draining} is (a load balancer stops sending before the ports close).
   */
  public AdminVerticle(AdminConfig config, Supplier<String> metrics) {
    this.config = config;
    this.metrics = metrics;
  }

  /** The node takes traffic now (its listeners are bound): {@code /health} answers 200 {@code UP} from here on. */
  public void ready() {
    status = "UP";
  }

  /** The node is stopping (its listeners drain): {@code /health} answers 503 {@code DRAINING} from here on. */
  public void draining() {
    status = "DRAINING";
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.route().handler(ctx -> {
      ctx.response().putHeader(ADMIN_HEADER, "1");
      ctx.next();
    });
    // a readiness probe's answer: a load balancer or a CI script that waits for it finds the listeners bound
    // HEAD too, as probes send it (Vert.x's router does not take HEAD for GET: it fell to the token's 401)
    router.route("/health").method(io.vertx.core.http.HttpMethod.GET).method(io.vertx.core.http.HttpMethod.HEAD).handler(ctx -> {
      String now = status;
      ctx.response().setStatusCode(now.equals("UP") ? 200 : 503);
      ctx.json(new JsonObject().put("status", now));
    });
    router.route().handler(SameOrigin.guard(config));
    ConsoleRoutes.mount(router);
    router.route().handler(this::authorize);
    router.route().handler(AdminVerticle::noMultipart);
    router.route().handler(AdminVerticle::formIsRaw);
    router.route().handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
    // off the event loop: a scrape formats every series and reads the last minute's requests for the impact score,
    // and the loop it ran on carries listeners' traffic too
    router.get("/metrics").handler(ctx -> vertx.executeBlocking(metrics::get, false).onSuccess(text -> ctx.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        .end(text)).onFailure(ctx::fail));
    ControlBus bus = new ControlBus(vertx.eventBus());
    new ChaosApi(bus).mount(router);
    new ScenarioApi(bus).mount(router);
    new OrchestrationApi(bus, vertx.eventBus()).mount(router);
    new ConsoleApi(bus).mount(router);
    new ListenerApi(bus).mount(router);
    new HistoryApi(bus, vertx.eventBus()).mount(router);
    new GraphQlApi(vertx.eventBus(), config.token()).mount(router);
    // what Vert.x refuses itself (a malformed escape in the path or the query string): a JSON answer, not its plain text and
    // an ERROR in the log
    router.errorHandler(400, ctx -> ApiError.send(ctx, 400, "malformed request" + (ctx.failure() == null || ctx.failure().getMessage() == null
        ? "" : ": " + ctx.failure().getMessage()), null));
    router.errorHandler(404, ctx -> ApiError.send(ctx, 404, "no such endpoint: " + ctx.request().method() + " " + ctx.request().path(), null));
    router.errorHandler(405, ctx -> ApiError.send(ctx, 405, "method " + ctx.request().method() + " not allowed on " + ctx.request().path(), null));
    router.errorHandler(413, ctx -> ApiError.send(ctx, 413, "request body larger than " + MAX_BODY_BYTES + " bytes", "body"));
    router.errorHandler(500, ctx -> ApiError.fromFailure(ctx, ctx.failure()));
    if (config.tls() != null) {
      try {
        ServerTls.verify(vertx, config.tls());
      } catch (io.faultline.chaos.config.ChaosConfigException e) {
        throw e.under("admin");
      }
      ServerTls.expiry(config.tls()).ifPresent(problem -> LOG.warning(() -> "the admin API: " + problem));
    }
    server = vertx.createHttpServer(ServerTls.apply(new HttpServerOptions().setHost(config.host()).setPort(config.port())
        .addWebSocketSubProtocol(GraphQlApi.WS_PROTOCOL), config.tls())).requestHandler(router)
        .invalidRequestHandler(UnreadableHeads.answer("the admin API", HttpServerOptions.DEFAULT_MAX_INITIAL_LINE_LENGTH,
            HttpServerOptions.DEFAULT_MAX_HEADER_SIZE, response -> response.putHeader(ADMIN_HEADER, "1")));
    return BindFailures.named(server.listen(), "admin", config.host(), config.port()).onSuccess(s -> {
      certificateWatch = ServerTls.watch(vertx, server, config.tls(), "the admin API");
      LOG.info(() -> "admin API and console on " + config.scheme() + "://" + config.host() + ":" + s.actualPort() + "/"
          + (config.token() == null ? "" : " (bearer token required)"));
      if (config.token() == null && !config.loopback()) {
        LOG.warning(() -> "the admin API listens on " + config.host() + ", beyond this machine, with no token: anyone who "
            + "reaches port " + s.actualPort() + " can change the chaos of all traffic. Set --admin-token (admin.token).");
      }
    });
  }

  /**
   * No endpoint takes HTML forms, but {@code curl -d} labels every body {@code application/x-www-form-urlencoded},
   * and decoding a JSON or YAML body as form fields fails on anything over a kilobyte with a bare 400.
   * The body is read as it is instead. The type the client sent stays under {@link #SENT_CONTENT_TYPE}, for an answer
   * that names it. Also the Toxiproxy API's: its clients' bodies come labelled so too.
   */
  public static void formIsRaw(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    if (type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
      ctx.put(SENT_CONTENT_TYPE, type);
      ctx.request().headers().set("Content-Type", "text/plain; charset=utf-8");
    }
    ctx.next();
  }

  /**
   * A multipart body (curl -F) is refused, 415: Vert.x's body handler keeps none of it, so {@code curl -F grace_ms=30000}
   * removed a listener with no grace and answered 200, and {@code curl -F file=@run.yaml} was told no orchestration was sent.
   */
  private static void noMultipart(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    if (type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/")) {
      ApiError.send(ctx, 415, "a multipart body (curl -F) is not taken here: send the body as it is (curl --data-binary @FILE,"
          + " or -d), got Content-Type " + type, "Content-Type");
      return;
    }
    ctx.next();
  }

  /** The routing context key of the Content-Type a client sent, where {@link #formIsRaw} replaced it. */
  public static final String SENT_CONTENT_TYPE = "faultline.sent-content-type";

  @Override
  public Future<?> stop() {
    if (certificateWatch >= 0) {
      vertx.cancelTimer(certificateWatch);
    }
    return Future.succeededFuture();
  }

  /**
   * True when {@code header} is {@code Bearer TOKEN}: the scheme in any case (HTTP's schemes are
   * case-insensitive: {@code bearer} was refused), the token compared in constant time.
   */
  public static boolean bearer(String token, String header) {
    if (header == null || header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    return MessageDigest.isEqual(header.substring(7).getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
  }

  public int actualPort() {
    return server.actualPort();
  }

  private void authorize(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (config.token() == null || bearer(config.token(), header)) {
      ctx.next();
      return;
    }
    if (header == null && GraphQlApi.isSubscriptionSocket(ctx.request())) {
      ctx.next(); // GraphQlApi checks the token of its connection_init message instead
      return;
    }
    ctx.response().putHeader("WWW-Authenticate", "Bearer");
    ApiError.send(ctx, 401, "a valid bearer token is required (Authorization: Bearer TOKEN)", null);
  }
}
