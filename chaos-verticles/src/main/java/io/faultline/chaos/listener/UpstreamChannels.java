package io.faultline.chaos.listener;

import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.config.Upstream;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * The keep-alive HTTP/1.1 connections of one verticle to its upstreams, read and written with Netty's codec
 * ({@link UpstreamChannel}), on the verticle's event loop only: HTTP's plain path. Vert.x's TCP client opens them
 * (its name resolution, connect timeout, TLS and trust as the listener's HTTP client has them), and the codec takes
 * the connection over from there. A connection is taken from a stack of idle ones (the most recently used first,
 * so the others age out), or opened while fewer than {@code maxPerUpstream} are, or waited for; and given back
 * once its exchange is over both ways, unless the upstream said it closes it. Idle connections are closed after
 * {@code keepAliveMs}, before an upstream's own keep-alive timeout (60 s, like Vert.x's default; nginx's is 75 s)
 * can close one as a request goes out on it.
 */
public final class UpstreamChannels {

  private final Vertx vertx;
  private final NetClient client;
  private final int maxPerUpstream;
  private final long keepAliveMs;
  private final Map<Upstream, Host> hosts = new HashMap<>();
  private Host lastHost; // the host of the last exchange: nearly always the next one's too

  public UpstreamChannels(Vertx vertx, ListenerConfig listener, int maxPerUpstream, long keepAliveMs) {
    this.vertx = vertx;
    this.client = vertx.createNetClient(new NetClientOptions()
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, listener.connectTimeoutMs()))
        .setTrustAll(listener.tlsTrustAll())
        .setHostnameVerificationAlgorithm(listener.tlsTrustAll() ? "" : "HTTPS"));
    this.maxPerUpstream = maxPerUpstream;
    this.keepAliveMs = keepAliveMs;
    vertx.setPeriodic(Math.max(1, keepAliveMs / 4), id -> closeIdle());
  }

  /**
   * A connection to {@code upstream} for one exchange, to give back with {@link UpstreamChannel#done} when the
   * exchange is over. When all {@code maxPerUpstream} are busy it waits for one, at most {@code waitMs} (none when
   * not positive), then fails with a {@link TimeoutException} (a 504): the route's timeout starts once the request
   * has a connection, and connections held by answers that stall (an event stream, a body the upstream stopped
   * sending) kept the requests behind them waiting for ever.
   */
  public Future<UpstreamChannel> acquire(Upstream upstream, long waitMs) {
    Host host = lastHost;
    if (host == null || !host.upstream.equals(upstream)) {
      host = hosts.computeIfAbsent(upstream, Host::new);
      lastHost = host;
    }
    UpstreamChannel idle = host.idle.pollLast();
    while (idle != null && idle.spent()) { // what the upstream sent it, or its close, while it idled
      idle.close();
      idle = host.idle.pollLast();
    }
    if (idle != null) {
      return Future.succeededFuture(idle);
    }
    if (host.open < maxPerUpstream) {
      return host.open();
    }
    Promise<UpstreamChannel> waiter = Promise.promise();
    host.waiting.addLast(waiter);
    if (waitMs > 0) {
      Host waitedOn = host;
      vertx.setTimer(waitMs, id -> {
        if (waitedOn.waiting.remove(waiter)) {
          waiter.fail(new TimeoutException("no connection to the upstream was free within " + waitMs
              + " ms (route timeout): all " + maxPerUpstream + " of this event loop's are busy"));
        }
      });
    }
    return waiter.future();
  }

  private void closeIdle() {
    long before = System.currentTimeMillis() - keepAliveMs;
    for (Host host : hosts.values()) {
      while (!host.idle.isEmpty() && host.idle.peekFirst().idleSince <= before) {
        host.idle.pollFirst().close();
      }
    }
  }

  /** The connections to one upstream. */
  final class Host {

    private final Upstream upstream;
    private final ArrayDeque<UpstreamChannel> idle = new ArrayDeque<>();
    private final ArrayDeque<Promise<UpstreamChannel>> waiting = new ArrayDeque<>();
    private int open;

    Host(Upstream upstream) {
      this.upstream = upstream;
    }

    Future<UpstreamChannel> open() {
      open++;
      return client.connect(new ConnectOptions().setHost(upstream.host()).setPort(upstream.port()).setSsl(upstream.secure()))
          .transform(connected -> {
            if (connected.failed()) {
              open--;
              // one attempt per waiter: each gets a connection or this failure, none waits for ever
              Promise<UpstreamChannel> waiter = waiting.pollFirst();
              if (waiter != null) {
                open().onComplete(waiter);
              }
              return Future.failedFuture(connected.cause());
            }
            ChannelPipeline pipeline = ((NetSocketInternal) connected.result()).channelHandlerContext().pipeline();
            if (!pipeline.channel().isActive()) { // closed as it opened: no handler added now would hear of it
              open--;
              return Future.failedFuture(new java.io.IOException("the upstream closed the connection as it opened"));
            }
            UpstreamChannel.AnswerDecoder decoder = UpstreamChannel.decoder();
            UpstreamChannel channel = new UpstreamChannel(this, decoder);
            // before Vert.x's own handler, which sees nothing of the exchanges but the connection's close
            pipeline.addBefore("handler", "faultline-answer-decoder", decoder);
            pipeline.addBefore("handler", "faultline-request-encoder", new HttpRequestEncoder());
            pipeline.addBefore("handler", "faultline-upstream", channel);
            return Future.succeededFuture(channel);
          });
    }

    /** {@code channel}'s exchange is over: it goes to the next waiter, or to the idle ones, when {@code reusable}; else it is closed. */
    void release(UpstreamChannel channel, boolean reusable) {
      if (!reusable || channel.spent()) {
        channel.close(); // its close counts it out and serves a waiter with a new connection
        return;
      }
      Promise<UpstreamChannel> waiter = waiting.pollFirst();
      if (waiter != null) {
        waiter.complete(channel);
      } else {
        channel.idleSince = System.currentTimeMillis();
        idle.addLast(channel);
      }
    }

    /** {@code channel} has closed. */
    void closed(UpstreamChannel channel) {
      open--;
      idle.remove(channel);
      Promise<UpstreamChannel> waiter = waiting.pollFirst();
      if (waiter != null) {
        open().onComplete(waiter);
      }
    }
  }
}
