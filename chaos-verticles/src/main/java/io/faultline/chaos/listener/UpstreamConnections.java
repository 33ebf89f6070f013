package io.faultline.chaos.listener;

import io.faultline.chaos.config.Upstream;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The keep-alive HTTP/1.1 connections of one verticle to its GraphQL upstreams, through Vert.x's HTTP client, on its event loop
 * only. Vert.x's pool is made for any thread: each request goes through its resource manager, a
 * lock-free combiner, a new context and four futures before it has a connection (7% of HTTP's plain path's
 * CPU in the bench's profile). Here a connection is taken from a stack of idle ones (the most recently
 * used first, so the others age out), or opened while fewer than {@code maxPerUpstream} are, or waited
 * for; and given back once its exchange is over both ways, unless the upstream said it closes it.
 * Idle connections are closed after {@code keepAliveMs}, before an upstream's own keep-alive timeout
 * (60 s, like Vert.x's default; nginx's is 75 s) can close one as a request goes out on it.
 */
public final class UpstreamConnections {

  private final Vertx vertx;
  private final HttpClientAgent connector;
  private final int maxPerUpstream;
  private final long keepAliveMs;
  private final Map<Upstream, Host> hosts = new HashMap<>();
  private Host lastHost; // the host of the last exchange: nearly always the next one's too

  public UpstreamConnections(Vertx vertx, HttpClientAgent connector, int maxPerUpstream, long keepAliveMs) {
    this.vertx = vertx;
    this.connector = connector;
    this.maxPerUpstream = maxPerUpstream;
    this.keepAliveMs = keepAliveMs;
    vertx.setPeriodic(Math.max(1, keepAliveMs / 4), id -> closeIdle());
  }

  /**
   * A connection to {@code upstream} for one exchange, to {@link #release} when the exchange is over. When
   * all {@code maxPerUpstream} are busy it waits for one, at most {@code waitMs} (none when not positive),
   * then fails with a {@link java.util.concurrent.TimeoutException} (a 504): the route's timeout starts
   * once the request has a connection, and connections held by answers that stall (an event stream, a body
   * the upstream stopped sending) kept the requests behind them waiting for ever.
   */
  public Future<HttpClientConnection> acquire(Upstream upstream, long waitMs) {
    Host host = lastHost;
    if (host == null || !host.upstream.equals(upstream)) {
      host = hosts.computeIfAbsent(upstream, Host::new);
      lastHost = host;
    }
    Idle idle = host.idle.pollLast();
    while (idle != null && idle.open.spent()) { // what the upstream sent it while it idled
      idle.connection.close();
      idle = host.idle.pollLast();
    }
    if (idle != null) {
      return Future.succeededFuture(idle.connection);
    }
    if (host.open < maxPerUpstream) {
      return host.open();
    }
    Promise<HttpClientConnection> waiter = Promise.promise();
    host.waiting.addLast(waiter);
    if (waitMs > 0) {
      Host waitedOn = host;
      vertx.setTimer(waitMs, id -> {
        if (waitedOn.waiting.remove(waiter)) {
          waiter.fail(new java.util.concurrent.TimeoutException("no connection to the upstream was free within " + waitMs
              + " ms (route timeout): all " + maxPerUpstream + " of this event loop's are busy"));
        }
      });
    }
    return waiter.future();
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
      Host host = hosts.get(upstream);
      Open open = host != null ? host.live.get(connection) : null;
      return Future.succeededFuture(new UpstreamLeg(this, upstream, connection, opened.result(),
          open != null && open.carried));
    }));
  }

  /**
   * Gives {@code connection} back after its exchange: to the next waiter, or to the idle ones when
   * {@code reusable} (both messages went whole, and the upstream keeps the connection); closes it otherwise.
   */
  public void release(Upstream upstream, HttpClientConnection connection, boolean reusable) {
    Host host = hosts.get(upstream);
    Open open = host != null && reusable ? host.live.get(connection) : null;
    if (open == null || open.spent()) {
      connection.close(); // its close handler counts it out and serves a waiter with a new connection
      return;
    }
    open.carried = true;
    Promise<HttpClientConnection> waiter = host.waiting.pollFirst();
    if (waiter != null) {
      waiter.complete(connection);
    } else {
      host.idle.addLast(new Idle(connection, open, System.currentTimeMillis()));
    }
  }

  private void closeIdle() {
    long before = System.currentTimeMillis() - keepAliveMs;
    for (Host host : hosts.values()) {
      while (!host.idle.isEmpty() && host.idle.peekFirst().since <= before) {
        host.idle.pollFirst().connection.close();
      }
    }
  }

  private record Idle(HttpClientConnection connection, Open open, long since) {
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

  private final class Host {

    private final Upstream upstream;
    private final ArrayDeque<Idle> idle = new ArrayDeque<>();
    private final ArrayDeque<Promise<HttpClientConnection>> waiting = new ArrayDeque<>();
    /** The open connections. */
    private final java.util.Map<HttpClientConnection, Open> live = new java.util.IdentityHashMap<>();
    private int open;

    Host(Upstream upstream) {
      this.upstream = upstream;
    }

    Future<HttpClientConnection> open() {
      open++;
      return connector.connect(new HttpConnectOptions()
              .setHost(upstream.host())
              .setPort(upstream.port())
              .setSsl(upstream.secure()))
          .andThen(opened -> {
            if (opened.failed()) {
              open--;
              // one attempt per waiter: each gets a connection or this failure, none waits for ever
              Promise<HttpClientConnection> waiter = waiting.pollFirst();
              if (waiter != null) {
                open().onComplete(waiter);
              }
              return;
            }
            HttpClientConnection connection = opened.result();
            live.put(connection, new Open(UpstreamPipeline.prepare(connection)));
            connection.closeHandler(v -> closed(connection));
          });
    }

    private void closed(HttpClientConnection connection) {
      live.remove(connection);
      open--;
      idle.removeIf(i -> i.connection == connection);
      Promise<HttpClientConnection> waiter = waiting.pollFirst();
      if (waiter != null) {
        open().onComplete(waiter);
      }
    }
  }
}
