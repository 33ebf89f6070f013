package io.faultline.protocol.websocket;

import io.faultline.chaos.config.GrpcCodes;
import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.config.WebSocketConfig;
import io.faultline.chaos.engine.Decision;
import io.faultline.chaos.engine.StreamChaos;
import io.faultline.chaos.engine.Verdict;
import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.listener.AbruptClose;
import io.faultline.chaos.listener.ConnectionGate;
import io.faultline.chaos.listener.RouteTable;
import io.faultline.chaos.listener.ServerRequestFacts;
import io.faultline.chaos.listener.WebSocketUpgrades;
import io.faultline.chaos.state.ChaosState;
import io.faultline.chaos.listener.ServerTls;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * One WebSocket listener: accepts upgrades, routes them by path, method and host, opens the matching
 * upstream WebSocket with the client's headers and offered subprotocols, answers the client with the
 * subprotocol the upstream chose, then relays frames both ways through a {@link WebSocketRelay}.
 *
 * <p>The handshake is an HTTP request to the chaos engine: injected errors, rate limits, bulkheads and
 * open breakers reject it with their HTTP status, timeouts hold it, connection errors close it. The
 * {@code websocket} section and the {@code latency} section then act on each message.
 */
public final class WebSocketProxyVerticle extends VerticleBase {

  private static final Logger LOG = Logger.getLogger(WebSocketProxyVerticle.class.getName());

  /** Large enough for real applications' messages; a frame is held whole in memory while relayed. */
  static final int MAX_FRAME_BYTES = 16 * 1024 * 1024;

  private final ListenerConfig listener;
  private final ChaosState state;
  private final ConnectionGate gate;
  private final int bindPort;
  private final ChaosListener events;
  private final RouteTable routes;
  private WebSocketClient client;
  private HttpServer server;

  /** {@code bindPort} may be negative: Vert.x shares one random port between servers with the same negative port. */
  public WebSocketProxyVerticle(ListenerConfig listener, ChaosState state, ConnectionGate gate, int bindPort, ChaosListener events) {
    this.listener = listener;
    this.state = state;
    this.gate = gate;
    this.bindPort = bindPort;
    this.events = events;
    this.routes = new RouteTable(listener);
  }

  @Override
  public Future<?> start() {
    client = vertx.createWebSocketClient(WebSocketUpgrades.clientOptions(listener).setMaxFrameSize(MAX_FRAME_BYTES));
    server = ServerTls.createHttpServer(vertx, listener.tls(), new HttpServerOptions()
            .setHost(listener.host())
            .setPort(bindPort)
            // "*": accept whichever subprotocol the request names; handle() rewrites it to the upstream's choice first.
            .setWebSocketSubProtocols(WebSocketUpgrades.ANY_SUBPROTOCOL)
            .setMaxWebSocketFrameSize(MAX_FRAME_BYTES)
            .setPerMessageWebSocketCompressionSupported(false)
            .setPerFrameWebSocketCompressionSupported(false))
        .connectionHandler(connection -> gate.onConnection(vertx, state, connection))
        .requestHandler(this::handle);
    return server.listen().onSuccess(s -> LOG.info(() -> listener.describe(s.actualPort())));
  }

  /** The bound port (useful when the configured port is 0). */
  public int actualPort() {
    return server.actualPort();
  }

  private void handle(HttpServerRequest request) {
    if (!WebSocketUpgrades.isUpgrade(request)) {
      request.response().putHeader(HttpHeaders.UPGRADE, "websocket");
      json(request, 426, new JsonObject().put("error", "listener " + listener.name() + " only accepts WebSocket upgrades"));
      return;
    }
    RouteTable.Route route = routes.select(request);
    if (route == null) {
      json(request, 404, new JsonObject().put("error", "no route matches " + request.method() + " " + request.uri()));
      return;
    }
    new Handshake(request, route).run();
  }

  /** One upgrade on its way through the chaos verdict to the upstream. */
  private final class Handshake {

    private final HttpServerRequest request;
    private final RouteTable.Route route;
    private final String routeLabel;
    private final long started = System.nanoTime();
    private Verdict verdict;

    Handshake(HttpServerRequest request, RouteTable.Route route) {
      this.request = request;
      this.route = route;
      this.routeLabel = route.name() == null ? "default" : route.name();
    }

    void run() {
      verdict = state.snapshot().decide(new ServerRequestFacts(listener.name(), "websocket", route.name(), request));
      request.pause();
      if (verdict == Verdict.PASS) {
        connect();
        return;
      }
      verdict.admit(context).onComplete(admitted -> {
        if (admitted.failed()) {
          fail("bulkhead", 503, 0);
          return;
        }
        WebSocketConfig ws = verdict.messages() == null ? null : verdict.messages().websocket();
        long delay = ws != null && ws.enabled() ? ws.handshakeDelayMs() : 0;
        if (delay > 0) {
          fault("handshake_delay");
          events.latencyInjected(listener.name(), "websocket", routeLabel, delay);
          vertx.setTimer(delay, id -> applyTerminal());
        } else {
          applyTerminal();
        }
      });
    }

    private void applyTerminal() {
      Decision terminal = verdict.terminal();
      if (terminal instanceof Decision.Fail f) {
        fail(f.fault(), f.status(), f.retryAfterSeconds());
      } else if (terminal instanceof Decision.Status s) {
        fail(s.fault(), GrpcCodes.httpStatus(s.code()), 0);
      } else if (terminal instanceof Decision.Timeout t) {
        fault("timeout");
        vertx.setTimer(Math.max(1, t.ms()), id -> drop());
      } else if (terminal instanceof Decision.Reset || terminal instanceof Decision.Cut) {
        fault(terminal instanceof Decision.Reset r ? r.fault() : ((Decision.Cut) terminal).fault());
        drop();
      } else {
        connect();
      }
    }

    private void connect() {
      client.connect(WebSocketUpgrades.connectOptions(request, route.upstream(), route.timeoutMs())).onComplete(ar -> {
        if (ar.succeeded()) {
          accept(ar.result());
        } else {
          upstreamFailed(ar.cause());
        }
      });
    }

    private void accept(WebSocket upstream) {
      upstream.pause(); // until the relay is ready for what the upstream sends first
      WebSocketUpgrades.adoptHandshake(request, upstream);
      request.toWebSocket().onComplete(ar -> {
        if (ar.failed()) {
          upstream.close();
          complete(false, "dropped");
          return;
        }
        Decision.Messages messages = verdict.messages();
        StreamChaos chaos = messages == null ? null : new StreamChaos(messages);
        new WebSocketRelay(vertx, ar.result(), request.connection(), upstream, chaos, verdict.throttleBps(),
            this::fault, end -> complete(end.upstreamFailed(), end.abrupt() ? "dropped" : "2xx")).start();
      });
    }

    private void upstreamFailed(Throwable cause) {
      if (cause instanceof UpgradeRejectedException rejected) {
        // The upstream answered the upgrade with a plain HTTP response: the client gets it as it was.
        WebSocketUpgrades.passRejection(request, rejected);
        complete(rejected.getStatus() >= 500, ChaosListener.outcome(rejected.getStatus()));
        return;
      }
      boolean timedOut = cause instanceof TimeoutException || String.valueOf(cause.getMessage()).toLowerCase().contains("timeout");
      int status = timedOut ? 504 : 502;
      String upstream = route.upstream().toString();
      json(request, status, new JsonObject()
          .put("error", (timedOut ? "upstream timed out: " : "upstream unavailable: ") + upstream)
          .put("upstream", upstream)
          .put("status", status)
          .put("cause", String.valueOf(cause.getMessage())));
      complete(true, "5xx");
    }

    private void fail(String fault, int status, long retryAfterSeconds) {
      fault(fault);
      request.response().putHeader("X-Faultline-Fault", fault);
      if (retryAfterSeconds > 0) {
        request.response().putHeader("Retry-After", Long.toString(retryAfterSeconds));
      }
      json(request, status, new JsonObject().put("error", "injected fault: " + fault).put("fault", fault).put("status", status));
      complete(status >= 500, ChaosListener.outcome(status));
    }

    /** Closes the client connection without an answer. */
    private void drop() {
      AbruptClose.close(request.connection());
      complete(true, "dropped");
    }

    private void fault(String type) {
      events.faultInjected(listener.name(), "websocket", routeLabel, type);
    }

    private void complete(boolean failed, String outcome) {
      verdict.complete(failed);
      events.requestCompleted(listener.name(), "websocket", routeLabel, outcome, System.nanoTime() - started);
    }
  }

  private static void json(HttpServerRequest request, int status, JsonObject body) {
    request.resume();
    request.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(body.encode());
  }
}
