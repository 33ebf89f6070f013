package io.faultline.chaos.listener;

import io.faultline.chaos.config.ListenerConfig;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;

/**
 * The keep-alive HTTP/1.1 connections of one verticle to its upstreams, read and written with Netty's codec
 * ({@link UpstreamChannel}), on the verticle's event loop only ({@link UpstreamPool}): HTTP's plain path. Vert.x's
 * TCP client opens them (its name resolution, connect timeout, TLS and trust as the listener's HTTP client has them),
 * and the codec takes each connection over from there.
 */
public final class UpstreamChannels extends UpstreamPool<UpstreamChannel> {

  private final NetClient client;

  public UpstreamChannels(Vertx vertx, ListenerConfig listener, int maxPerUpstream, long keepAliveMs) {
    super(vertx, maxPerUpstream, keepAliveMs);
    this.client = vertx.createNetClient(new NetClientOptions()
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, listener.connectTimeoutMs()))
        .setTrustAll(listener.tlsTrustAll())
        .setHostnameVerificationAlgorithm(listener.tlsTrustAll() ? "" : "HTTPS"));
  }

  @Override
  Future<UpstreamChannel> connect(Host host) {
    return client.connect(new ConnectOptions().setHost(host.upstream.host()).setPort(host.upstream.port()).setSsl(host.upstream.secure()))
        .compose(socket -> {
          ChannelPipeline pipeline = ((NetSocketInternal) socket).channelHandlerContext().pipeline();
          if (!pipeline.channel().isActive()) { // closed as it opened: no handler added now would hear of it
            return Future.failedFuture(new java.io.IOException("the upstream closed the connection as it opened"));
          }
          UpstreamChannel.AnswerDecoder decoder = UpstreamChannel.decoder();
          UpstreamChannel channel = new UpstreamChannel(host, decoder);
          // before Vert.x's own handler, which sees nothing of the exchanges but the connection's close
          pipeline.addBefore("handler", "faultline-answer-decoder", decoder);
          pipeline.addBefore("handler", "faultline-request-encoder", new HttpRequestEncoder());
          pipeline.addBefore("handler", "faultline-upstream", channel);
          return Future.succeededFuture(channel);
        });
  }

  @Override
  boolean spent(UpstreamChannel channel) {
    return channel.spent();
  }

  @Override
  void close(UpstreamChannel channel) {
    channel.close();
  }
}
