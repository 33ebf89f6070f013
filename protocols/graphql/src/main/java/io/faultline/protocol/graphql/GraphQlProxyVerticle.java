package io.faultline.protocol.graphql;

import io.faultline.chaos.config.GrpcCodes;
import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.engine.Decision;
import io.faultline.chaos.engine.Verdict;
import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.listener.AbruptClose;
import io.faultline.chaos.listener.ConnectionGate;
import io.faultline.chaos.listener.ForwardedHeaders;
import io.faultline.chaos.listener.RouteTable;
import io.faultline.chaos.listener.ServerRequestFacts;
import io.faultline.chaos.listener.UpstreamClients;
import io.faultline.chaos.listener.WebSocketUpgrades;
import io.faultline.chaos.shaping.PacedReadStream;
import io.faultline.chaos.state.ChaosState;
import io.faultline.chaos.listener.ServerTls;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * One GraphQL listener: GraphQL over HTTP (POST with a JSON or {@code application/graphql} body, GET
 * with query parameters) forwarded to the route's upstream endpoint with the client's headers. Each
 * document is parsed to learn its operation type, name and selected fields, which rules can target; a
 * document that does not parse is forwarded untouched. Chaos answers in GraphQL's terms: an
 * {@code errors} array with {@code extensions.code}, fields nulled in the upstream's {@code data} with
 * errors whose {@code path} points at them, and rate limits as {@code RATE_LIMITED}. Subscriptions over
 * WebSocket ({@code graphql-transport-ws}) are relayed by a {@link SubscriptionRelay}.
 */
public final class GraphQlProxyVerticle extends VerticleBase {

  private static final Logger LOG = Logger.getLogger(GraphQlProxyVerticle.class.getName());

  /** A GraphQL request body (document and variables) larger than this is refused with 413. */
  static final int MAX_REQUEST_BYTES = 4 * 1024 * 1024;

  /** Request and response headers that belong to one hop, not passed on. */
  static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "te", "trailer", "transfer-encoding",
      "upgrade", "proxy-connection", "proxy-authorization", "content-length", "host");

  private final ListenerConfig listener;
  private final ChaosState state;
  private final ConnectionGate gate;
  private final int bindPort;
  private final ChaosListener events;
  private final RouteTable routes;
  private HttpClient client;
  private SchemaCache schemas;
  private WebSocketClient wsClient;
  private HttpServer server;

  /** {@code bindPort} may be negative: Vert.x shares one random port between servers with the same negative port. */
  public GraphQlProxyVerticle(ListenerConfig listener, ChaosState state, ConnectionGate gate, int bindPort, ChaosListener events) {
    this.listener = listener;
    this.state = state;
    this.gate = gate;
    this.bindPort = bindPort;
    this.events = events;
    this.routes = new RouteTable(listener);
  }

  @Override
  public Future<?> start() {
    client = vertx.createHttpClient(UpstreamClients.httpOptions(listener), new PoolOptions().setHttp1MaxSize(256).setMaxWaitQueueSize(-1));
    schemas = new SchemaCache(client);
    wsClient = vertx.createWebSocketClient(WebSocketUpgrades.clientOptions(listener));
    server = ServerTls.createHttpServer(vertx, listener.tls(), new HttpServerOptions()
            .setHost(listener.host())
            .setPort(bindPort)
            .setHttp2ClearTextEnabled(true)
            .setWebSocketSubProtocols(WebSocketUpgrades.ANY_SUBPROTOCOL))
        .connectionHandler(connection -> gate.onConnection(vertx, state, connection))
        .requestHandler(this::handle);
    return server.listen().onSuccess(s -> LOG.info(() -> listener.describe(s.actualPort())));
  }

  /** The bound port (useful when the configured port is 0). */
  public int actualPort() {
    return server.actualPort();
  }

  private void handle(HttpServerRequest request) {
    RouteTable.Route route = routes.select(request);
    if (route == null) {
      GraphQlResponses.send(request.response(), 404,
          GraphQlResponses.error("no route matches " + request.method() + " " + request.uri(), "NOT_FOUND"));
      return;
    }
    if (WebSocketUpgrades.isUpgrade(request)) {
      subscribe(request, route);
      return;
    }
    Buffer body = Buffer.buffer();
    boolean[] tooLarge = {false};
    request.handler(chunk -> {
      if (!tooLarge[0] && body.length() + chunk.length() > MAX_REQUEST_BYTES) {
        tooLarge[0] = true;
        request.response().setStatusCode(413).putHeader(HttpHeaders.CONNECTION, "close")
            .end(GraphQlResponses.error("request body over " + MAX_REQUEST_BYTES + " bytes", "PAYLOAD_TOO_LARGE").encode());
      } else if (!tooLarge[0]) {
        body.appendBuffer(chunk);
      }
    });
    request.endHandler(v -> {
      if (!tooLarge[0]) {
        new Exchange(request, route, body).run();
      }
    });
  }

  /** GraphQL over WebSocket: opens the upstream's WebSocket (ws:// for http://, wss:// for https://) and relays it with chaos per subscription. */
  private void subscribe(HttpServerRequest request, RouteTable.Route route) {
    request.pause();
    long started = System.nanoTime();
    String routeLabel = route.name() == null ? "default" : route.name();
    wsClient.connect(WebSocketUpgrades.connectOptions(request, route.upstream(), route.timeoutMs())).onComplete(ar -> {
      if (ar.failed()) {
        if (ar.cause() instanceof UpgradeRejectedException rejected) {
          WebSocketUpgrades.passRejection(request, rejected);
        } else {
          request.resume();
          GraphQlResponses.send(request.response(), 502, GraphQlResponses.error("upstream unavailable: " + route.upstream(), "BAD_GATEWAY"));
        }
        return;
      }
      WebSocket upstream = ar.result();
      upstream.pause();
      WebSocketUpgrades.adoptHandshake(request, upstream);
      request.toWebSocket().onComplete(accepted -> {
        if (accepted.failed()) {
          upstream.close();
          return;
        }
        new SubscriptionRelay(vertx, accepted.result(), () -> AbruptClose.close(request.connection()), upstream,
            operation -> state.snapshot().decide(new ServerRequestFacts(listener.name(), "graphql", route.name(), request, operation.facts())),
            () -> schemas.schemaFor(route, request.path(), request.headers()),
            new SubscriptionRelay.Events() {
              @Override
              public void faultInjected(String type) {
                events.faultInjected(listener.name(), "graphql", routeLabel, type);
              }

              @Override
              public void ended(boolean abrupt) {
                events.requestCompleted(listener.name(), "graphql", routeLabel, abrupt ? "dropped" : "2xx", System.nanoTime() - started);
              }
            }).start();
      });
    });
  }

  /** One GraphQL request on its way through the chaos verdict to the upstream and back. */
  private final class Exchange {

    private final HttpServerRequest request;
    private final RouteTable.Route route;
    private final Buffer body;
    private final String routeLabel;
    private final long started = System.nanoTime();
    private ParsedOperation operation;
    private Verdict verdict;

    Exchange(HttpServerRequest request, RouteTable.Route route, Buffer body) {
      this.request = request;
      this.route = route;
      this.body = body;
      this.routeLabel = route.name() == null ? "default" : route.name();
    }

    void run() {
      operation = parse();
      verdict = state.snapshot().decide(new ServerRequestFacts(listener.name(), "graphql", route.name(), request,
          operation == null ? null : operation.facts()));
      if (verdict == Verdict.PASS) {
        forward();
        return;
      }
      verdict.admit(context).onComplete(admitted -> {
        if (admitted.failed()) {
          fail("bulkhead", 200, "bulkhead full", "SERVICE_UNAVAILABLE", 0);
        } else if (verdict.delayMs() > 0) {
          events.latencyInjected(listener.name(), "graphql", routeLabel, verdict.delayMs());
          vertx.setTimer(verdict.delayMs(), id -> applyTerminal());
        } else {
          applyTerminal();
        }
      });
    }

    private ParsedOperation parse() {
      if (request.method() == HttpMethod.GET) {
        return ParsedOperation.parse(request.getParam("query"), request.getParam("operationName"));
      }
      String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
      if (type != null && type.toLowerCase(Locale.ROOT).startsWith("application/graphql")
          && !type.toLowerCase(Locale.ROOT).startsWith("application/graphql-response")) {
        return ParsedOperation.parse(body.toString(), null);
      }
      try {
        Object json = body.length() == 0 ? null : body.toJsonValue();
        if (json instanceof JsonObject object && object.getValue("query") instanceof String query) {
          return ParsedOperation.parse(query, object.getValue("operationName") instanceof String name ? name : null);
        }
      } catch (DecodeException e) {
        // not JSON: the upstream will say so
      }
      return null;
    }

    private void applyTerminal() {
      Decision terminal = verdict.terminal();
      if (terminal instanceof Decision.GraphQlError e) {
        fail(e.fault(), e.status(), e.message(), e.code(), 0);
      } else if (terminal instanceof Decision.Fail f) {
        switch (f.fault()) {
          case "rate_limit" -> fail(f.fault(), 200, "rate limit exceeded", "RATE_LIMITED", f.retryAfterSeconds());
          case "circuit_breaker" -> fail(f.fault(), 200, "circuit breaker open", "SERVICE_UNAVAILABLE", 0);
          default -> fail(f.fault(), f.status(), "injected fault: HTTP " + f.status(), GraphQlResponses.code(f.status()), 0);
        }
      } else if (terminal instanceof Decision.Status s) {
        int status = GrpcCodes.httpStatus(s.code());
        fail(s.fault(), status, s.message(), GraphQlResponses.code(status), 0);
      } else if (terminal instanceof Decision.Timeout t) {
        fault("timeout");
        vertx.setTimer(Math.max(1, t.ms()), id -> drop());
      } else if (terminal instanceof Decision.Reset r) {
        fault(r.fault());
        drop();
      } else {
        forward();
      }
    }

    private void forward() {
      RequestOptions options = new RequestOptions()
          .setMethod(request.method())
          .setHost(route.upstream().host())
          .setPort(route.upstream().port())
          .setSsl(route.upstream().secure())
          .setURI(route.upstream().basePath() + request.uri())
          .setIdleTimeout(route.timeoutMs());
      MultiMap headers = MultiMap.caseInsensitiveMultiMap();
      request.headers().forEach(h -> {
        if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(Locale.ROOT))) {
          headers.add(h.getKey(), h.getValue());
        }
      });
      ForwardedHeaders.apply(headers, request);
      options.setHeaders(headers);
      client.request(options)
          .compose(upstream -> upstream.send(body))
          .onComplete(ar -> {
            if (ar.succeeded()) {
              respond(ar.result());
            } else {
              upstreamFailed(ar.cause());
            }
          });
    }

    private void respond(HttpClientResponse upstream) {
      HttpServerResponse response = request.response().setStatusCode(upstream.statusCode());
      upstream.headers().forEach(h -> {
        if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(Locale.ROOT))) {
          response.headers().add(h.getKey(), h.getValue());
        }
      });
      Decision terminal = verdict.terminal();
      boolean rewrite = !verdict.fieldErrors().isEmpty() && operation != null && isJson(upstream);
      if (rewrite || terminal instanceof Decision.Cut) {
        Future<GraphQlSchema> schema = rewrite ? schemas.schemaFor(route, request.path(), request.headers()) : Future.succeededFuture();
        upstream.body().onComplete(ar -> {
          if (ar.failed()) {
            drop();
            return;
          }
          schema.onComplete(known -> {
            Buffer out = rewrite ? nullFields(ar.result(), known.result()) : ar.result();
            if (terminal instanceof Decision.Cut cut) {
              fault(cut.fault());
              response.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(out.length()));
              response.write(out.slice(0, (int) (out.length() * cut.fraction()))).onComplete(w -> drop());
            } else {
              response.end(out);
              complete(upstream.statusCode());
            }
          });
        });
        return;
      }
      if (upstream.getHeader(HttpHeaders.CONTENT_LENGTH) != null) {
        response.putHeader(HttpHeaders.CONTENT_LENGTH, upstream.getHeader(HttpHeaders.CONTENT_LENGTH));
      } else {
        response.setChunked(true);
      }
      var source = verdict.throttleBps() > 0 ? new PacedReadStream(vertx, upstream, verdict.throttleBps()) : upstream;
      source.pipeTo(response).onComplete(ar -> {
        if (ar.succeeded()) {
          complete(upstream.statusCode());
        } else {
          drop();
        }
      });
    }

    private Buffer nullFields(Buffer original, GraphQlSchema schema) {
      JsonObject json;
      try {
        json = original.toJsonObject();
      } catch (DecodeException e) {
        return original;
      }
      int nulled = FieldNulling.apply(json, verdict.fieldErrors(), operation, schema);
      for (int i = 0; i < nulled; i++) {
        fault("graphql_field");
      }
      Buffer out = Buffer.buffer(json.encode());
      request.response().putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(out.length()));
      return out;
    }

    private void upstreamFailed(Throwable cause) {
      boolean timedOut = cause instanceof TimeoutException;
      int status = timedOut ? 504 : 502;
      String upstream = route.upstream().toString();
      JsonObject body = GraphQlResponses.error((timedOut ? "upstream timed out: " : "upstream unavailable: ") + upstream,
          timedOut ? "GATEWAY_TIMEOUT" : "BAD_GATEWAY");
      body.getJsonArray("errors").getJsonObject(0).getJsonObject("extensions")
          .put("upstream", upstream).put("cause", String.valueOf(cause.getMessage()));
      GraphQlResponses.send(request.response(), status, body);
      complete(status);
    }

    private void fail(String fault, int status, String message, String code, long retryAfterSeconds) {
      fault(fault);
      HttpServerResponse response = request.response().putHeader("X-Faultline-Fault", fault);
      if (retryAfterSeconds > 0) {
        response.putHeader("Retry-After", Long.toString(retryAfterSeconds));
      }
      JsonObject body = GraphQlResponses.error(message, code);
      body.getJsonArray("errors").getJsonObject(0).getJsonObject("extensions").put("faultline", fault);
      GraphQlResponses.send(response, status, body);
      complete(status);
    }

    private void drop() {
      AbruptClose.close(request.connection());
      verdict.complete(true);
      events.requestCompleted(listener.name(), "graphql", routeLabel, "dropped", System.nanoTime() - started);
    }

    private void fault(String type) {
      events.faultInjected(listener.name(), "graphql", routeLabel, type);
    }

    private void complete(int status) {
      verdict.complete(status >= 500);
      events.requestCompleted(listener.name(), "graphql", routeLabel, ChaosListener.outcome(status), System.nanoTime() - started);
    }
  }

  private static boolean isJson(HttpClientResponse response) {
    String type = response.getHeader(HttpHeaders.CONTENT_TYPE);
    return type != null && type.toLowerCase(Locale.ROOT).contains("json");
  }

  /** GraphQL-shaped answers: a JSON body with an {@code errors} array, as GraphQL clients expect. */
  static final class GraphQlResponses {

    private GraphQlResponses() {
    }

    static JsonObject error(String message, String code) {
      return new JsonObject().put("errors", new JsonArray().add(new JsonObject()
          .put("message", message)
          .put("extensions", new JsonObject().put("code", code))));
    }

    static void send(HttpServerResponse response, int status, JsonObject body) {
      response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.encode());
    }

    /** The conventional {@code extensions.code} for an HTTP status. */
    static String code(int status) {
      return switch (status) {
        case 400 -> "BAD_REQUEST";
        case 401 -> "UNAUTHENTICATED";
        case 403 -> "FORBIDDEN";
        case 404 -> "NOT_FOUND";
        case 429 -> "RATE_LIMITED";
        case 502 -> "BAD_GATEWAY";
        case 503 -> "SERVICE_UNAVAILABLE";
        case 504 -> "GATEWAY_TIMEOUT";
        default -> status >= 500 ? "INTERNAL_SERVER_ERROR" : "BAD_REQUEST";
      };
    }
  }
}
