package io.faultline.protocol.http;

import io.faultline.chaos.listener.ConnectionGate;
import io.faultline.chaos.listener.RouteTable;
import io.faultline.chaos.listener.UpstreamClients;

import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.config.Upstream;
import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.exchange.ExchangeRunner;
import io.faultline.chaos.state.ChaosState;
import io.faultline.chaos.listener.RequestChecks;
import io.faultline.chaos.listener.ListenerServers;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyOptions;
import java.util.logging.Logger;

/**
 * One HTTP listener (HTTP/1.1 and h2c): a vertx-http-proxy reverse proxy with two interceptors,
 * {@link RouteInterceptor} (route, forwarded headers, upstream failures) and {@link ChaosInterceptor}
 * (the chaos lifecycle). Deploy as many instances as event loops; they share the {@link ConnectionGate}.
 */
public final class HttpProxyVerticle extends VerticleBase {

  private static final Logger LOG = Logger.getLogger(HttpProxyVerticle.class.getName());

  private final ListenerConfig listener;
  private final ChaosState state;
  private final ConnectionGate gate;
  private HttpServer server;

  private final int bindPort;

  private final ChaosListener events;

  public HttpProxyVerticle(ListenerConfig listener, ChaosState state, ConnectionGate gate) {
    this(listener, state, gate, listener.port(), ChaosListener.NOOP);
  }

  /**
   * {@code bindPort} may differ from the configured port: Vert.x binds a negative port to one random
   * port shared by every server with the same negative value, which lets port-0 listeners run one
   * instance per event loop.
   */
  public HttpProxyVerticle(ListenerConfig listener, ChaosState state, ConnectionGate gate, int bindPort, ChaosListener events) {
    this.listener = listener;
    this.state = state;
    this.gate = gate;
    this.bindPort = bindPort;
    this.events = events;
  }

  @Override
  public Future<?> start() {
    ExchangeRunner<ProxyContext> runner = new ExchangeRunner<>(vertx, listener.name(), "http", state, events,
        new HttpTranslator(vertx, listener.name()));
    HttpClient client = vertx.createHttpClient(UpstreamClients.httpOptions(listener).setDecompressionSupported(false),
        new PoolOptions().setHttp1MaxSize(512).setMaxWaitQueueSize(-1));
    // WebSocket upgrades would skip the interceptors (and so routing and chaos): proxied as plain HTTP until the websocket listener exists.
    HttpProxy proxy = HttpProxy.reverseProxy(new ProxyOptions().setSupportWebSocket(false), client)
        .origin(context -> {
          RouteTable.Route route = context.get(RouteInterceptor.ROUTE, RouteTable.Route.class);
          if (route == null) {
            return Future.failedFuture("no route selected");
          }
          Upstream upstream = route.upstream();
          return context.client().request(new RequestOptions()
              .setHost(upstream.host())
              .setPort(upstream.port())
              .setSsl(upstream.secure())
              .setIdleTimeout(route.timeoutMs()));
        })
        .addInterceptor(new RouteInterceptor(new RouteTable(listener), runner))
        .addInterceptor(new ChaosInterceptor(vertx, runner));
    server = ListenerServers.createHttpServer(vertx, listener, new HttpServerOptions()
            .setHost(listener.host())
            .setPort(bindPort)
            .setHttp2ClearTextEnabled(true)
            .setCompressionSupported(false)
            .setDecompressionSupported(false), true)
        .connectionHandler(connection -> gate.onConnection(vertx, state, connection))
        .requestHandler(RequestChecks.guard(proxy));
    return server.listen().onSuccess(s -> LOG.info(() -> listener.describe(s.actualPort())));
  }

  /** The bound port (useful when the configured port is 0). */
  public int actualPort() {
    return server.actualPort();
  }
}
