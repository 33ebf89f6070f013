package io.faultline.chaos.listener;

import io.faultline.chaos.config.Upstream;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * The keep-alive connections of one verticle to its upstreams, on its event loop only. Vert.x's pool is made for
 * any thread: each request goes through its resource manager, a lock-free combiner, a new context and four futures
 * before it has a connection (7% of HTTP's plain path's CPU in the bench's profile). Here a connection is taken from
 * a stack of idle ones (the most recently used first, so the others age out), or opened while fewer than
 * {@code maxPerUpstream} are, or waited for; and given back once its exchange is over both ways, unless it cannot
 * carry another. Idle connections are closed after {@code keepAliveMs}, before an upstream's own keep-alive timeout
 * (60 s, like Vert.x's default; nginx's is 75 s) can close one as a request goes out on it.
 *
 * @param <C> a connection
 */
abstract class UpstreamPool<C> {

  private final Vertx vertx;
  private final int maxPerUpstream;
  private final long keepAliveMs;
  private final Map<Upstream, Host> hosts = new HashMap<>();
  private Host lastHost; // the host of the last exchange: nearly always the next one's too

  UpstreamPool(Vertx vertx, int maxPerUpstream, long keepAliveMs) {
    this.vertx = vertx;
    this.maxPerUpstream = maxPerUpstream;
    this.keepAliveMs = keepAliveMs;
    vertx.setPeriodic(Math.max(1, keepAliveMs / 4), id -> closeIdle());
  }

  /** Opens a connection to {@code host}'s upstream; once it is open, its owner calls {@link Host#closed} when it closes. */
  abstract Future<C> connect(Host host);

  /**
   * True when {@code connection}, between two exchanges, must not carry another: the upstream closed it, or sent
   * bytes past its last answer that no request asked for (more than its {@code Content-Length}, a body on a 204),
   * which the next answer would be read from (a 502 "invalid version format: 56789HTTP/1.1" for the next, innocent
   * request). nginx does not keep such a connection either.
   */
  abstract boolean spent(C connection);

  abstract void close(C connection);

  /**
   * A connection to {@code upstream} for one exchange, to give back ({@link Host#release}) when the exchange is over.
   * When all {@code maxPerUpstream} are busy it waits for one, at most {@code waitMs} (none when not positive), then
   * fails with a {@link TimeoutException} (a 504): the route's timeout starts once the request has a connection, and
   * connections held by answers that stall (an event stream, a body the upstream stopped sending) kept the requests
   * behind them waiting for ever.
   */
  public Future<C> acquire(Upstream upstream, long waitMs) {
    Host host = host(upstream);
    Idle<C> idle = host.idle.pollLast();
    while (idle != null && spent(idle.connection)) { // what the upstream sent it, or its close, while it idled
      close(idle.connection);
      idle = host.idle.pollLast();
    }
    if (idle != null) {
      return Future.succeededFuture(idle.connection);
    }
    if (host.open < maxPerUpstream) {
      return host.open();
    }
    Promise<C> waiter = Promise.promise();
    host.waiting.addLast(waiter);
    if (waitMs > 0) {
      vertx.setTimer(waitMs, id -> {
        if (host.waiting.remove(waiter)) {
          waiter.fail(new TimeoutException("no connection to the upstream was free within " + waitMs
              + " ms (route timeout): all " + maxPerUpstream + " of this event loop's are busy"));
        }
      });
    }
    return waiter.future();
  }

  /** The connections to {@code upstream}. */
  final Host host(Upstream upstream) {
    Host host = lastHost;
    if (host == null || !host.upstream.equals(upstream)) {
      host = hosts.computeIfAbsent(upstream, Host::new);
      lastHost = host;
    }
    return host;
  }

  private void closeIdle() {
    long before = System.currentTimeMillis() - keepAliveMs;
    for (Host host : hosts.values()) {
      while (!host.idle.isEmpty() && host.idle.peekFirst().since <= before) {
        close(host.idle.pollFirst().connection);
      }
    }
  }

  private record Idle<C>(C connection, long since) {
  }

  /** The connections to one upstream. */
  final class Host {

    final Upstream upstream;
    /** The {@code Host} header its requests carry ({@link Upstream#authority}), made once. */
    final String authority;
    private final ArrayDeque<Idle<C>> idle = new ArrayDeque<>();
    private final ArrayDeque<Promise<C>> waiting = new ArrayDeque<>();
    private int open;

    private Host(Upstream upstream) {
      this.upstream = upstream;
      this.authority = upstream.authority();
    }

    private Future<C> open() {
      open++;
      return connect(this).andThen(opened -> {
        if (opened.failed()) {
          open--;
          // one attempt per waiter: each gets a connection or this failure, none waits for ever
          Promise<C> waiter = waiting.pollFirst();
          if (waiter != null) {
            open().onComplete(waiter);
          }
        }
      });
    }

    /**
     * {@code connection}'s exchange is over: it goes to the next waiter, or to the idle ones, when {@code reusable}
     * (both messages went whole, and the upstream keeps the connection) and not {@link #spent}; else it is closed.
     */
    void release(C connection, boolean reusable) {
      if (!reusable || spent(connection)) {
        close(connection); // its close counts it out and serves a waiter with a new connection
        return;
      }
      Promise<C> waiter = waiting.pollFirst();
      if (waiter != null) {
        waiter.complete(connection);
      } else {
        idle.addLast(new Idle<>(connection, System.currentTimeMillis()));
      }
    }

    /** {@code connection}, once open, has closed. */
    void closed(C connection) {
      open--;
      idle.removeIf(i -> i.connection == connection);
      Promise<C> waiter = waiting.pollFirst();
      if (waiter != null) {
        open().onComplete(waiter);
      }
    }
  }
}
