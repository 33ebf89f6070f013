package io.faultline.protocol.grpc;

import io.faultline.chaos.listener.RouteTable;
import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.exchange.ExchangeRunner;
import io.faultline.chaos.state.ChaosState;
import io.faultline.chaos.listener.FlushBatching;
import io.faultline.chaos.listener.Http2Idle;
import io.faultline.chaos.listener.SendTimeout;
import io.faultline.chaos.listener.Drainable;
import io.faultline.chaos.listener.ListenerServers;
import io.faultline.chaos.listener.UpstreamClients;
import io.faultline.chaos.exchange.Exchange;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.grpc.server.GrpcProtocol;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import java.util.concurrent.TimeUnit;

/**
 * One gRPC listener (HTTP/2, h2c): every call, whatever its service, is relayed to the upstream of its
 * route by {@link GrpcRelay}. Deploy one instance per event loop.
 */
public final class GrpcProxyVerticle extends VerticleBase implements Drainable {

  /** Largest message relayed, in bytes (gRPC's own default is 256 KiB, too small for a transparent proxy). */
  static final long MAX_MESSAGE_BYTES = 64L * 1024 * 1024;


  /**
   * The call being handed to the gRPC server, which calls its handler synchronously: its HTTP/2 stream and,
   * when the listener routed it and chaos touched it, the call and its exchange.
   */
  private HttpServerRequest dispatching;
  private GrpcCall decided;
  private Exchange<GrpcCall> decidedExchange;

  private final ListenerConfig listener;
  private final ChaosState state;
  private final int bindPort;
  private HttpServer server;

  private final ChaosListener events;

  public GrpcProxyVerticle(ListenerConfig listener, ChaosState state, int bindPort) {
    this(listener, state, bindPort, ChaosListener.NOOP);
  }

  public GrpcProxyVerticle(ListenerConfig listener, ChaosState state, int bindPort, ChaosListener events) {
    this.listener = listener;
    this.state = state;
    this.bindPort = bindPort;
    this.events = events;
  }

  /** HTTP/2 connections a verticle may open to one upstream, for calls chaos touches and for those it leaves untouched. */
  static final int UPSTREAM_CONNECTIONS = 8;

  @Override
  public Future<?> start() {
    // calls chaos touches: each a gRPC call on an HTTP/2 stream of these (UpstreamAnswer), with as many connections
    // per upstream as the pass-through's (one, Vert.x's default, queued the 101st call); the upstream call is told
    // the deadline (the time the call has left) and cancelled by the client's own deadline (GrpcRelay), which
    // answers DEADLINE_EXCEEDED: a timer of the client's racing it answered CANCELLED
    int connectTimeoutMs = (int) Math.min(Integer.MAX_VALUE, listener.connectTimeoutMs());
    // Every client's calls share these connections: an upstream that limits its streams per connection (a
    // Vert.x server's 100) gets another connection past it, as nginx opens more, instead of queued calls.
    io.vertx.core.http.PoolOptions pool = new io.vertx.core.http.PoolOptions().setHttp2MaxSize(UPSTREAM_CONNECTIONS);
    HttpClient plain = vertx.createHttpClient(new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false)
        .setConnectTimeout(connectTimeoutMs)
        .setInitialSettings(new io.vertx.core.http.Http2Settings().setMaxHeaderListSize(MAX_UPSTREAM_HEADER_LIST_BYTES)), pool);
    HttpClient tls = vertx.createHttpClient(new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false)
        .setConnectTimeout(connectTimeoutMs)
        .setInitialSettings(new io.vertx.core.http.Http2Settings().setMaxHeaderListSize(MAX_UPSTREAM_HEADER_LIST_BYTES))
        .setSsl(true)
        .setUseAlpn(true)
        .setTrustAll(listener.tlsTrustAll())
        .setVerifyHost(!listener.tlsTrustAll()), pool);
    GrpcTranslator translator = new GrpcTranslator(vertx, listener.name());
    RouteTable routes = new RouteTable(listener);
    ExchangeRunner<GrpcCall> runner = new ExchangeRunner<>(vertx, listener.name(), "grpc", state, events, translator);
    GrpcRelay relay = new GrpcRelay(vertx, upstream -> upstream.secure() ? tls : plain, routes, runner, new DecodingFailures(vertx, context));
    translator.relay(relay);
    HttpClient h2 = vertx.createHttpClient(h2Options(connectTimeoutMs), pool);
    HttpClient h2Tls = vertx.createHttpClient(h2Options(connectTimeoutMs).setSsl(true).setUseAlpn(true)
        .setTrustAll(listener.tlsTrustAll()).setVerifyHost(!listener.tlsTrustAll()), pool);
    GrpcPassThrough passThrough = new GrpcPassThrough(vertx, upstream -> upstream.secure() ? h2Tls : h2);
    GrpcServer grpc = GrpcServer.server(vertx, new GrpcServerOptions()
        .setMaxMessageSize(MAX_MESSAGE_BYTES)
        .setScheduleDeadlineAutomatically(true)
        .removeEnabledProtocol(GrpcProtocol.TRANSCODING)
        .removeEnabledProtocol(GrpcProtocol.WEB)
        .removeEnabledProtocol(GrpcProtocol.WEB_TEXT));
    grpc.callHandler(call -> {
      if (decided != null) {
        relay.handle(call, decided, decidedExchange);
        decided = null;
      } else {
        relay.handle(call, dispatching);
      }
    });
    String clients = "listener " + listener.name() + ": client";
    server = ListenerServers.createHttpServer(vertx, listener, new HttpServerOptions().setHost(listener.host()).setPort(bindPort))
        .connectionHandler(connection -> {
          FlushBatching.install(connection);
          Http2Idle.install(connection); // idles only with no call in progress
          SendTimeout.install(connection, listener.sendTimeout(), clients);
        })
        .requestHandler(request -> {
          long started = System.nanoTime();
          String contentType = request.getHeader(HttpHeaders.CONTENT_TYPE);
          RouteTable.Route route = GrpcPassThrough.takes(request, contentType) ? routes.select(request) : null;
          GrpcCall call = null;
          Exchange<GrpcCall> exchange = null;
          if (route != null) {
            call = new GrpcCall(request, route, started);
            exchange = GrpcPassThrough.chaosCanAct(contentType) ? runner.start(call, route.name(), started) : null;
            if (exchange == null) {
              // chaos leaves it untouched: relayed as a stream, its messages never decoded
              relay.track(call, null, ExchangeRunner.label(route.name()), started);
              passThrough.relay(call);
              return;
            }
          }
          dispatching = request;
          decided = call;
          decidedExchange = exchange;
          try {
            grpc.handle(request);
            if (decided != null) {
              decidedExchange.end(0, "dropped", false); // the gRPC server refused it before its handler: not ours to count as failed
            }
          } finally {
            dispatching = null;
            decided = null;
            decidedExchange = null;
          }
        });
    return server.listen(); // ListenerDeployment logs the listener once it is up
  }

  /**
   * The largest header block (headers or trailers) taken from an upstream: Vert.x's default, 8 KiB, reset a call
   * whose trailers carried a long grpc-message or grpc-status-details-bin, and the client lost the upstream's
   * status (nginx's grpc_pass passes them).
   */
  static final int MAX_UPSTREAM_HEADER_LIST_BYTES = 64 * 1024;

  private static HttpClientOptions h2Options(int connectTimeoutMs) {
    return new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false)
        .setConnectTimeout(connectTimeoutMs).setMaxChunkSize(UpstreamClients.MAX_CHUNK_BYTES)
        .setInitialSettings(new io.vertx.core.http.Http2Settings().setMaxHeaderListSize(MAX_UPSTREAM_HEADER_LIST_BYTES));
  }

  @Override
  public Future<Void> drain(long graceMs) {
    return server.shutdown(graceMs, TimeUnit.MILLISECONDS);
  }

  public int actualPort() {
    return server.actualPort();
  }
}
