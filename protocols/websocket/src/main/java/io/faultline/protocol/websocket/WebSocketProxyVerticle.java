package io.faultline.protocol.websocket;

import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.config.RouteConfig;
import io.faultline.chaos.engine.MessageFault;
import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.exchange.Exchange;
import io.faultline.chaos.exchange.ExchangeRunner;
import io.faultline.chaos.exchange.UpstreamFailures;
import io.faultline.chaos.listener.ConnectionGate;
import io.faultline.chaos.listener.RouteTable;
import io.faultline.chaos.listener.WebSocketUpgrades;
import io.faultline.chaos.state.ChaosState;
import io.faultline.chaos.listener.RequestChecks;
import io.faultline.chaos.listener.Drainable;
import io.faultline.chaos.listener.ListenerServers;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;

/**
 * One WebSocket listener: accepts upgrades, routes them by path, method and host, opens the matching
 * upstream WebSocket with the client's headers and offered subprotocols, answers the client with the
 * subprotocol the upstream chose, then relays frames both ways through a {@link WebSocketRelay}.
 *
 * <p>The upgrade and the connection it becomes are one exchange of the chaos lifecycle
 * ({@link ExchangeRunner}, with the {@link WebSocketTranslator}): injected errors, rate limits, bulkheads
 * and open breakers reject the upgrade with their HTTP status, timeouts hold it, connection errors close
 * it. The {@code websocket} section and the {@code latency} section then act on each message.
 */
public final class WebSocketProxyVerticle extends VerticleBase implements Drainable {


  /** Large enough for real applications' messages; a frame is held whole in memory while relayed. */
  static final int MAX_FRAME_BYTES = 16 * 1024 * 1024;

  private final ListenerConfig listener;
  private final ChaosState state;
  private final ConnectionGate gate;
  private final int bindPort;
  private final ChaosListener events;
  private final RouteTable routes;
  private ExchangeRunner<Upgrade> runner;
  private WebSocketClient client;
  private HttpServer server;
  /** The open connections' chaos, looked at again when the state changes (on this verticle's loop only). */
  private final java.util.Set<Following> open = new java.util.LinkedHashSet<>(); // in the order they opened: a change reaches them so
  private final java.util.concurrent.atomic.AtomicBoolean followQueued = new java.util.concurrent.atomic.AtomicBoolean();
  private Runnable unwatch;

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
    runner = new ExchangeRunner<>(vertx, listener.name(), "websocket", state, events,
        new WebSocketTranslator(vertx, listener.name(), this));
    client = WebSocketUpgrades.client(vertx, WebSocketUpgrades.clientOptions(listener).setMaxFrameSize(MAX_FRAME_BYTES));
    server = ListenerServers.createHttpServer(vertx, listener, new HttpServerOptions()
            .setHost(listener.host())
            .setPort(bindPort)
            // "*": accept whichever subprotocol the request names; handle() rewrites it to the upstream's choice first.
            .setWebSocketSubProtocols(WebSocketUpgrades.ANY_SUBPROTOCOL)
            .setMaxWebSocketFrameSize(MAX_FRAME_BYTES)
            .setWebSocketClosingTimeout(io.faultline.chaos.listener.ClosingHandshake.CLOSING_TIMEOUT_S)
            .setPerMessageWebSocketCompressionSupported(false)
            .setPerFrameWebSocketCompressionSupported(false), true)
        .connectionHandler(connection -> gate.onConnection(vertx, state, connection))
        .requestHandler(RequestChecks.guard(this::handle));
    // a change reaches open connections that stay silent too (a disconnect_after_ms set while they are open)
    io.vertx.core.Context context = this.context;
    unwatch = state.watch(snapshot -> {
      if (followQueued.compareAndSet(false, true)) {
        context.runOnContext(v -> {
          followQueued.set(false);
          new java.util.ArrayList<>(open).forEach(Following::current);
        });
      }
    });
    return server.listen(); // ListenerDeployment logs the listener once it is up
  }

  @Override
  public Future<?> stop() {
    if (unwatch != null) {
      unwatch.run();
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> drain(long graceMs) {
    gate.draining();
    return server.shutdown(graceMs, TimeUnit.MILLISECONDS);
  }

  /** The bound port (useful when the configured port is 0). */
  public int actualPort() {
    return server.actualPort();
  }

  private void handle(HttpServerRequest request) {
    long started = System.nanoTime();
    // what no route took is counted as the other listeners count it, under route "none" (it was not counted at all)
    if (!WebSocketUpgrades.isUpgrade(request)) {
      request.response().putHeader(HttpHeaders.UPGRADE, "websocket");
      WebSocketTranslator.json(request, 426, new JsonObject().put("error", "listener " + listener.name() + " only accepts WebSocket upgrades"));
      runner.untouched(RouteConfig.UNROUTED_NAME, started, "4xx");
      return;
    }
    RouteTable.Route route = routes.select(request);
    if (route == null) {
      WebSocketTranslator.json(request, 404, new JsonObject().put("error", "no route matches " + request.method() + " " + request.uri()));
      runner.untouched(RouteConfig.UNROUTED_NAME, started, "4xx");
      return;
    }
    request.pause();
    Upgrade upgrade = new Upgrade(request, route, started, runner);
    upgrade.exchange = runner.start(upgrade, route.name(), started);
    if (upgrade.exchange == null) {
      connect(upgrade, null);
    } else {
      // a client that leaves during a handshake delay is dropped then, with the time it stayed: not when the delay
      // ends; neither way for a breaker (it counted as the upstream's failure, and opened it)
      Exchange<Upgrade> exchange = upgrade.exchange;
      request.response().closeHandler(v -> exchange.drop(false));
      exchange.proceed();
    }
  }

  /** Opens the upstream side of {@code upgrade}; {@code exchange} (null when untouched) carries its message chaos and bandwidth. */
  void connect(Upgrade upgrade, Exchange<Upgrade> exchange) {
    HttpServerRequest request = upgrade.request;
    request.response().closeHandler(null); // from here the relay counts the connection's end
    WebSocketConnectOptions options = WebSocketUpgrades.connectOptions(request, upgrade.route.upstream(), upgrade.route.timeoutMs());
    if (exchange != null) {
      exchange.setTraceContext(options.getHeaders()); // Vert.x does not trace WebSocket handshakes
    }
    WebSocketUpgrades.connect(client, options).onComplete(ar -> {
      if (ar.succeeded()) {
        accept(upgrade, exchange, ar.result());
      } else if (ar.cause() instanceof UpgradeRejectedException rejected) {
        // The upstream answered the upgrade with a plain HTTP response: the client gets it as it was.
        WebSocketUpgrades.passRejection(request, rejected);
        upgrade.end(rejected.getStatus(), ChaosListener.outcome(rejected.getStatus()), rejected.getStatus() >= 500);
      } else {
        runner.translator().upstreamFailed(upgrade, upgrade.route.upstream().toString(), UpstreamFailures.shown(ar.cause()));
      }
    });
  }

  private void accept(Upgrade upgrade, Exchange<Upgrade> exchange, WebSocket upstream) {
    HttpServerRequest request = upgrade.request;
    WebSocketUpgrades.releaseHandshakeConnection(upstream);
    HeldUpstream held = new HeldUpstream(vertx, upstream); // paused until the relay is ready for what the upstream sends first
    WebSocketUpgrades.adoptHandshake(request, upstream);
    request.toWebSocket().onComplete(ar -> {
      if (ar.failed()) {
        // the client left during the upstream's handshake: told as a vanished client is everywhere else (it was 1000)
        upstream.close((short) io.faultline.chaos.listener.ClosingHandshake.GOING_AWAY, io.faultline.chaos.listener.ClosingHandshake.CLIENT_LOST);
        upgrade.end(0, "dropped", false);
        return;
      }
      upgrade.upgraded();
      MessageFault.Fates fates = exchange == null ? null : exchange.verdict().messages().fates();
      long bps = exchange == null ? 0 : exchange.verdict().throttleBps();
      // chaos that reaches a connection its handshake left untouched is counted from then on, as a tcp connection's
      Following following = new Following(state, runner.translator().facts(upgrade, upgrade.route.name()), fates,
          () -> upgrade.exchange = upgrade.exchange != null ? upgrade.exchange
              : upgrade.reached(runner.late(upgrade, upgrade.route.name(), upgrade.startedNanos)));
      boolean[] ended = {false};
      new WebSocketRelay(vertx, ar.result(), request.connection(), upstream, held, following,
          bps > 0 ? () -> exchange.pacer(bps) : null, listener.sendTimeout(), upgrade::injected, end -> {
            ended[0] = true;
            open.remove(following);
            upgrade.end(101, end.abrupt() ? "dropped" : "2xx", end.upstreamFailed());
          }).start();
      if (!ended[0]) { // added once started: a start that throws, or a connection over at once, leaves nothing behind
        open.add(following);
      }
    });
  }
}
