package io.faultline.chaos.listener;

import io.faultline.chaos.config.Upstream;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.RequestOptions;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The keep-alive HTTP/1.1 connections of one verticle to its GraphQL upstreams, through Vert.x's HTTP client, on its
 * event loop only ({@link UpstreamPool}); given back once their exchange is over both ways, unless the upstream said
 * it closes them.
 */
public final class UpstreamConnections extends UpstreamPool<HttpClientConnection> {

  private final HttpClientAgent connector;
  /** The open connections. */
  private final Map<HttpClientConnection, Open> live = new IdentityHashMap<>();

  public UpstreamConnections(Vertx vertx, HttpClientAgent connector, int maxPerUpstream, long keepAliveMs) {
    super(vertx, maxPerUpstream, keepAliveMs);
    this.connector = connector;
  }

  @Override
  Future<HttpClientConnection> connect(Host host) {
    Upstream upstream = host.upstream;
    return connector.connect(new HttpConnectOptions().setHost(upstream.host()).setPort(upstream.port()).setSsl(upstream.secure()))
        .andThen(opened -> {
          if (opened.succeeded()) {
            HttpClientConnection connection = opened.result();
            live.put(connection, new Open(UpstreamPipeline.prepare(connection)));
            connection.closeHandler(v -> {
              live.remove(connection);
              host.closed(connection);
            });
          }
        });
  }

  @Override
  boolean spent(HttpClientConnection connection) {
    Open open = live.get(connection);
    return open == null || open.spent();
  }

  @Override
  void close(HttpClientConnection connection) {
    connection.close();
  }

  /**
   * A request to {@code upstream} on one of these connections (waiting at most {@code waitMs} for one, see
   * {@link #acquire}): its leg carries the request, and gives the connection back when the exchange is over. A
   * connection that could not be had, or could not carry the request, fails the future (and is closed).
   */
  public Future<UpstreamLeg> request(Upstream upstream, RequestOptions options, long waitMs) {
    return acquire(upstream, waitMs).compose(connection -> connection.request(options).transform(opened -> {
      if (opened.failed()) {
        release(upstream, connection, false);
        return Future.failedFuture(opened.cause());
      }
      Open open = live.get(connection);
      return Future.succeededFuture(new UpstreamLeg(this, upstream, connection, UpstreamClients.named(opened.result(), upstream),
          open != null && open.carried));
    }));
  }

  /**
   * Gives {@code connection} back after its exchange: to the next waiter, or to the idle ones when
   * {@code reusable} (both messages went whole, and the upstream keeps the connection); closes it otherwise.
   */
  public void release(Upstream upstream, HttpClientConnection connection, boolean reusable) {
    Open open = live.get(connection);
    if (open != null && reusable) {
      open.carried = true;
    }
    host(upstream).release(connection, reusable);
  }

  /** An open connection: what its pipeline was given ({@link UpstreamPipeline#prepare}), and whether it has carried an exchange. */
  private static final class Open {
    private final UpstreamPipeline.Installed installed;
    private boolean carried;

    Open(UpstreamPipeline.Installed installed) {
      this.installed = installed;
    }

    boolean spent() {
      return installed != null && installed.spent();
    }
  }
}
