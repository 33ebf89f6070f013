package io.faultline.protocol.http;

import io.faultline.chaos.listener.ConnectionGate;
import io.faultline.chaos.listener.RouteTable;
import io.faultline.chaos.listener.AnswerDeadlines;
import io.faultline.chaos.listener.UpstreamClients;
import io.faultline.chaos.listener.UpstreamChannels;

import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.config.Upstream;
import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.exchange.ExchangeRunner;
import io.faultline.chaos.state.ChaosState;
import io.faultline.chaos.listener.RequestChecks;
import io.faultline.chaos.listener.Drainable;
import io.faultline.chaos.listener.ListenerServers;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyOptions;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP listener (HTTP/1.1 and h2c): a vertx-http-proxy reverse proxy with two interceptors,
 * {@link RouteInterceptor} (route, forwarded headers, upstream failures) and {@link ChaosInterceptor}
 * (the chaos lifecycle). Deploy as many instances as event loops; they share the {@link ConnectionGate}.
 */
public final class HttpProxyVerticle extends VerticleBase implements Drainable {

  /** Connections to one upstream, per verticle instance (requests past them wait for one). */
  private static final int MAX_CONNECTIONS_PER_UPSTREAM = 512;
  /** An idle upstream connection is closed after this (Vert.x's default; nginx closes its own after 75 s). */
  private static final long KEEP_ALIVE_MS = 60_000;

  private final ListenerConfig listener;
  private final ChaosState state;
  private final ConnectionGate gate;
  private final RouteTable routes;
  private HttpServer server;
  private ExchangeRunner<HttpCall> runner;
  private PlainForward plain;
  /** Whether HTTP/1.x exchanges chaos leaves untouched, or only delays, take the plain path. */
  private boolean plainPath;
  private HttpProxy proxy;
  /**
   * The chain's upstream connections that have carried a request (weakly held: a closed one goes with its last
   * request): one failing a request before any answer may have been closed by its upstream as the request went out.
   */
  private final java.util.Set<io.vertx.core.http.HttpConnection> carried = java.util.Collections.newSetFromMap(new java.util.WeakHashMap<>());
  /** The call of the request being handed to the proxy, for its first interceptor. */
  private HttpCall dispatching;

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
    this.routes = new RouteTable(listener);
  }

  @Override
  public Future<?> start() {
    runner = new ExchangeRunner<>(vertx, listener.name(), "http", state, events, new HttpTranslator(vertx, listener.name(), call -> plain.forward(call)));
    HttpClient client = UpstreamClients.pooled(vertx, UpstreamClients.httpOptions(listener).setDecompressionSupported(false),
        new PoolOptions().setHttp1MaxSize(MAX_CONNECTIONS_PER_UPSTREAM).setMaxWaitQueueSize(-1));
    plain = new PlainForward(new UpstreamChannels(vertx, listener, MAX_CONNECTIONS_PER_UPSTREAM, KEEP_ALIVE_MS), runner,
        new AnswerDeadlines(vertx));
    // Vert.x's client metrics come from its HTTP client, which the plain path does not use: with them on, every exchange
    // takes the chain, so that they count every upstream request (the plain path makes its client spans itself, UpstreamTrace)
    plainPath = ((io.vertx.core.internal.VertxInternal) vertx).metrics() == null;
    // WebSocket upgrades would skip the interceptors (and so routing and chaos): proxied as plain HTTP until the websocket listener exists.
    proxy = HttpProxy.reverseProxy(new ProxyOptions().setSupportWebSocket(false), client)
        .origin(context -> {
          HttpCall call = RouteInterceptor.call(context);
          RouteTable.Route route = call.route;
          Upstream upstream = route.upstream();
          return context.client().request(new RequestOptions()
              .setHost(upstream.host())
              .setPort(upstream.port())
              .setSsl(upstream.secure())
              .setIdleTimeout(route.timeoutMs())
              // the wait for a connection, the pool's (all 512 busy) included: it had no bound, and a request queued
              // behind answers that stall waited for ever, after its client had gone too. Vert.x bounds the wait and the
              // connect as one, so the longer of the route's timeout and the listener's connect timeout, which an
              // unreachable upstream's 502 keeps
              .setConnectTimeout(route.timeoutMs() > 0 ? Math.max(route.timeoutMs(), listener.connectTimeoutMs()) : -1))
              .compose(made -> {
                if (call.request.response().closed()) {
                  // the client left while this waited for a connection (all busy, or a slow connect): nothing goes
                  // upstream, and the connection goes back unused, as on the plain path (the exchange is counted dropped)
                  made.reset();
                  return Future.failedFuture(new io.vertx.core.http.HttpClosedException("the client left before an upstream connection was free"));
                }
                return Future.succeededFuture(UpstreamClients.named(made, upstream));
              })
              .andThen(made -> {
                if (made.succeeded()) {
                  call.upstream = made.result();
                  call.upstreamReused = !carried.add(made.result().connection());
                }
              });
        })
        .addInterceptor(new RouteInterceptor(() -> dispatching, runner))
        .addInterceptor(new ChaosInterceptor(vertx));
    server = ListenerServers.createHttpServer(vertx, listener, new HttpServerOptions()
            .setHost(listener.host())
            .setPort(bindPort)
            .setHttp2ClearTextEnabled(true)
            // a client that sends Expect: 100-continue waits for it (curl, a second) before its body: it is
            // answered here, and the upstream is not asked (nginx does the same)
            .setHandle100ContinueAutomatically(true)
            .setCompressionSupported(false)
            .setDecompressionSupported(false)
            // this server ends no WebSocket (upgrades are proxied as they are): no extension handler in every connection's pipeline
            .setPerMessageWebSocketCompressionSupported(false)
            .setPerFrameWebSocketCompressionSupported(false), true)
        .connectionHandler(connection -> gate.onConnection(vertx, state, connection))
        .requestHandler(RequestChecks.guard(this::handle));
    return server.listen(); // ListenerDeployment logs the listener once it is up
  }

  /**
   * Routes the request and has chaos decide it (the runner: one volatile read when chaos is off). An
   * HTTP/1.x exchange chaos leaves untouched, or only delays, takes the plain path; everything else runs
   * through the proxy's interceptor chain, which finds its call in {@link #dispatching} (the chain starts
   * synchronously).
   */
  private void handle(HttpServerRequest request) {
    long started = System.nanoTime();
    HttpCall call = new HttpCall(request, routes.select(request), started);
    // a request whose framing the proxy refuses (400) before its chain runs is never started
    if (call.route != null && PlainForward.framed(request)) {
      call.exchange = runner.start(call, call.route.name(), started);
      if (plainPath && PlainForward.takes(request)) {
        if (call.exchange == null) {
          plain.forward(call);
          return;
        }
        if (PlainForward.carries(call.exchange.verdict())) {
          plain.run(call);
          return;
        }
      }
    }
    if (request.version() == io.vertx.core.http.HttpVersion.HTTP_2 && mayCarryABody(request.method())
        && !request.headers().contains(io.vertx.core.http.HttpHeaders.CONTENT_LENGTH)) {
      // an HTTP/2 body of unknown length (curl -T -, a streamed upload): the proxy sends it upstream chunked only when
      // the request says so, and HTTP/2 has no Transfer-Encoding; without it Vert.x refused each piece of the body
      // (no Content-Length) and the upstream got the head alone. Hop-by-hop: the header itself is not forwarded. Not
      // for the methods that carry none (a GET went upstream chunked): whether HTTP/2 headers ended the stream is not
      // known yet when the request is handed over, and an empty chunked body is good HTTP/1.1 for the others.
      request.headers().set(io.vertx.core.http.HttpHeaders.TRANSFER_ENCODING, io.vertx.core.http.HttpHeaders.CHUNKED);
    }
    dispatching = call;
    try {
      proxy.handle(request);
    } finally {
      dispatching = null;
    }
  }

  /** Whether a request of {@code method} may carry a body worth sending chunked (not GET, HEAD, OPTIONS, TRACE, DELETE). */
  private static boolean mayCarryABody(io.vertx.core.http.HttpMethod method) {
    return method != io.vertx.core.http.HttpMethod.GET && method != io.vertx.core.http.HttpMethod.HEAD
        && method != io.vertx.core.http.HttpMethod.OPTIONS && method != io.vertx.core.http.HttpMethod.TRACE
        && method != io.vertx.core.http.HttpMethod.DELETE;
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
}
