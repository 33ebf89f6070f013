package io.faultline.chaos.listener;

import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.config.Upstream;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;

/** The HTTP client settings every listener uses towards its upstreams. */
public final class UpstreamClients {

  private UpstreamClients() {
  }

  /**
   * Bodies are passed on in the pieces they are read in, up to this size: Netty's HTTP decoder cuts them
   * at 8 KiB by default, so a 64 KiB answer cost eight writes to the client where one read brought it.
   */
  public static final int MAX_CHUNK_BYTES = 64 * 1024;

  /** Keep-alive connections, the listener's connect timeout and its TLS trust; bodies in chunks of up to {@link #MAX_CHUNK_BYTES}. */
  public static HttpClientOptions httpOptions(ListenerConfig listener) {
    return new HttpClientOptions()
        .setKeepAlive(true)
        .setMaxChunkSize(MAX_CHUNK_BYTES)
        // an upstream's answer may have the head a listener takes from its clients
        .setMaxInitialLineLength(ListenerServers.MAX_REQUEST_LINE_BYTES)
        .setMaxHeaderSize(ListenerServers.MAX_HEADER_BYTES)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, listener.connectTimeoutMs()))
        .setTrustAll(listener.tlsTrustAll())
        .setVerifyHost(!listener.tlsTrustAll());
  }

  /**
   * {@code request} asks {@code upstream} by its name in brackets when that is an IPv6 literal: Vert.x's client writes
   * {@code Host: ::1:8080} (and that {@code :authority}), which names no host (nginx answers it 400). Any other name is
   * left as Vert.x writes it.
   */
  public static HttpClientRequest named(HttpClientRequest request, Upstream upstream) {
    if (upstream.host().indexOf(':') >= 0) {
      request.authority(io.vertx.core.net.HostAndPort.create(upstream.authorityHost(), upstream.port()));
    }
    return request;
  }

  /**
   * A pooled client towards upstreams: each HTTP/1.x connection it opens is prepared as a proxy needs
   * ({@link UpstreamPipeline}).
   */
  public static HttpClient pooled(Vertx vertx, HttpClientOptions options, PoolOptions pool) {
    return vertx.httpClientBuilder().with(options).with(pool).withConnectHandler(UpstreamPipeline::prepare).build();
  }
}
