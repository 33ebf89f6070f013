package io.faultline.chaos.listener;

import io.faultline.chaos.config.ListenerConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP server of a listener, with what every listener's server has: its idle timeout and its TLS
 * ({@link ServerTls}). Listeners guarded by a {@link ConnectionGate} also get a read-idle timeout of their
 * header timeout for the first request of a connection (Vert.x shows a connection to its handler only once
 * that request's headers are in, so the gate cannot time them); the gate's {@link Http1Guard} then takes
 * over: it times each later request's headers and the connection's keep-alive idleness itself. Other
 * listeners (gRPC: HTTP/2) get a plain idle timeout.
 */
public final class ListenerServers {

  /** As grpc-java's and Envoy's default: no limit a client meets (memory bounds what a connection opens). */
  public static final long MAX_CONCURRENT_STREAMS = Integer.MAX_VALUE;

  /**
   * A request line (method, target, version) may be this long: nginx's (one of its large header buffers),
   * where Vert.x's 4 KiB refused long query strings nginx passes.
   */
  public static final int MAX_REQUEST_LINE_BYTES = 8 * 1024;

  /** A request's header section may be this large in all: nginx's (its four large header buffers), Vert.x's is 8 KiB. */
  public static final int MAX_HEADER_BYTES = 32 * 1024;

  /** Stream resets an HTTP/2 client may send in {@link #RESET_WINDOW_SECONDS} before its connection is closed as a flood. */
  public static final int RESETS_PER_WINDOW = 10_000;
  static final int RESET_WINDOW_SECONDS = 10;

  private ListenerServers() {
  }

  public static HttpServer createHttpServer(Vertx vertx, ListenerConfig listener, HttpServerOptions options) {
    return createHttpServer(vertx, listener, options, false);
  }

  /** {@code gated}: the listener's connections go through a {@link ConnectionGate} (HTTP/1 clients). */
  public static HttpServer createHttpServer(Vertx vertx, ListenerConfig listener, HttpServerOptions options, boolean gated) {
    options.setIdleTimeoutUnit(TimeUnit.MILLISECONDS).setMaxChunkSize(UpstreamClients.MAX_CHUNK_BYTES)
        // Every exchange of a listener is handled and answered on its connection's event loop, so an HTTP/1
        // connection needs no queue for writes from other threads: it writes straight to Netty (Vert.x
        // throws if a write ever comes from another thread). Without it each connection carries an
        // unbounded MPSC queue (about 4.7 KB) and every write goes through it.
        .setStrictThreadMode(true)
        .setMaxInitialLineLength(MAX_REQUEST_LINE_BYTES)
        .setMaxHeaderSize(MAX_HEADER_BYTES);
    // HTTP/2 and gRPC clients put every call on one connection: Vert.x's default of 100 concurrent streams
    // queued the 101st call (100 open server streams stalled every other call), where gRPC servers set no limit
    options.getInitialSettings().setMaxConcurrentStreams(MAX_CONCURRENT_STREAMS);
    if (!"grpc".equals(listener.protocol())) {
      // the same header section an HTTP/1 client may send: HTTP/2's stayed at Vert.x's 8 KiB (a large cookie or token over
      // h2c or ALPN h2 was a bare 431 or a reset stream, where HTTP/1.1 took it). gRPC keeps 8 KiB, gRPC servers' own
      // default for metadata (grpc-java's): larger, a call refused by a client's own stack going direct passed the gateway
      // and failed at the upstream, answered UNAVAILABLE
      options.getInitialSettings().setMaxHeaderListSize(MAX_HEADER_BYTES);
    }
    // Cancelling calls is what HTTP/2 and gRPC clients do (deadlines, hedged calls, search as you type): Vert.x's
    // guard against rapid-reset floods (CVE-2023-44487) closed a client's connection, calls in progress with
    // it, after 200 cancels in 30 s (grpc-js got RESOURCE_EXHAUSTED for a call chaos never touched). The flood
    // it guards against sends tens of thousands a second; this allows a client 1,000 a second on average.
    options.setHttp2RstFloodMaxRstFramePerWindow(RESETS_PER_WINDOW).setHttp2RstFloodWindowDuration(RESET_WINDOW_SECONDS)
        .setHttp2RstFloodWindowDurationTimeUnit(TimeUnit.SECONDS);
    if (gated && listener.headerTimeoutMs() > 0) {
      // until the gate's guard takes over, after the first request's headers (Vert.x's idle handler, replaced then)
      options.setReadIdleTimeout((int) Math.min(Integer.MAX_VALUE, listener.headerTimeoutMs()));
    } else if (listener.idleTimeout() > 0) {
      options.setIdleTimeout((int) Math.min(Integer.MAX_VALUE, listener.idleTimeout()));
    }
    return ServerTls.createHttpServer(vertx, "listener " + listener.name(), listener.tls(), options).invalidRequestHandler(
        UnreadableHeads.answer("this listener", MAX_REQUEST_LINE_BYTES, MAX_HEADER_BYTES, response -> { }));
  }
}
