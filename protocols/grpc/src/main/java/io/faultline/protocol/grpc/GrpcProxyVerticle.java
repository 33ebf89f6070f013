package io.faultline.protocol.grpc;

import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.exchange.ExchangeRunner;
import io.faultline.chaos.state.ChaosState;
import io.faultline.chaos.listener.FlushBatching;
import io.faultline.chaos.listener.ListenerServers;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.server.GrpcProtocol;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import java.util.logging.Logger;

/**
 * One gRPC listener (HTTP/2, h2c): every call, whatever its service, is relayed to the upstream of its
 * route by {@link GrpcRelay}. Deploy one instance per event loop.
 */
public final class GrpcProxyVerticle extends VerticleBase {

  /** Largest message relayed, in bytes (gRPC's own default is 256 KiB, too small for a transparent proxy). */
  static final long MAX_MESSAGE_BYTES = 64L * 1024 * 1024;

  private static final Logger LOG = Logger.getLogger(GrpcProxyVerticle.class.getName());

  /** The HTTP/2 stream of the call being dispatched: the gRPC server calls its handler synchronously. */
  private final ThreadLocal<HttpServerRequest> dispatching = new ThreadLocal<>();

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

  @Override
  public Future<?> start() {
    GrpcClientOptions options = new GrpcClientOptions().setMaxMessageSize(MAX_MESSAGE_BYTES).setScheduleDeadlineAutomatically(true);
    int connectTimeoutMs = (int) Math.min(Integer.MAX_VALUE, listener.connectTimeoutMs());
    GrpcClient plain = GrpcClient.client(vertx, options, new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false)
        .setConnectTimeout(connectTimeoutMs));
    GrpcClient tls = GrpcClient.client(vertx, options, new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false)
        .setConnectTimeout(connectTimeoutMs)
        .setSsl(true)
        .setUseAlpn(true)
        .setTrustAll(listener.tlsTrustAll())
        .setVerifyHost(!listener.tlsTrustAll()));
    GrpcTranslator translator = new GrpcTranslator(vertx, listener.name());
    GrpcRelay relay = new GrpcRelay(vertx, upstream -> upstream.secure() ? tls : plain, new MethodRoutes(listener),
        new ExchangeRunner<>(vertx, listener.name(), "grpc", state, events, translator));
    translator.relay(relay);
    GrpcServer grpc = GrpcServer.server(vertx, new GrpcServerOptions()
        .setMaxMessageSize(MAX_MESSAGE_BYTES)
        .setScheduleDeadlineAutomatically(true)
        .removeEnabledProtocol(GrpcProtocol.TRANSCODING)
        .removeEnabledProtocol(GrpcProtocol.WEB)
        .removeEnabledProtocol(GrpcProtocol.WEB_TEXT));
    grpc.callHandler(call -> relay.handle(call, dispatching.get()));
    server = ListenerServers.createHttpServer(vertx, listener, new HttpServerOptions().setHost(listener.host()).setPort(bindPort))
        .connectionHandler(FlushBatching::install)
        .requestHandler(request -> {
          dispatching.set(request);
          try {
            grpc.handle(request);
          } finally {
            dispatching.remove();
          }
        });
    return server.listen().onSuccess(s -> LOG.info(() -> listener.describe(s.actualPort())));
  }

  public int actualPort() {
    return server.actualPort();
  }
}
