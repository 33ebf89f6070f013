package io.faultline.chaos.listener;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.concurrent.TimeUnit;

/**
 * The idle timeout of an HTTP/2 connection: it closes only a connection with no stream in progress, as
 * {@code idle_timeout_ms} promises. Vert.x's own counts the socket's silence alone, so a quiet gRPC stream
 * (a watch, a call its upstream takes minutes to answer) had its connection closed under it, and with it
 * every other call the client had on that connection.
 */
public final class Http2Idle extends IdleStateHandler {

  private static final String NAME = "idle";

  public Http2Idle(long idleTimeoutMs) {
    super(0, 0, idleTimeoutMs, TimeUnit.MILLISECONDS);
  }

  /** Puts this in place of the plain idle timeout of {@code connection}, if it is an HTTP/2 connection that has one. */
  public static void install(HttpConnection connection) {
    if (connection instanceof ConnectionBase base) {
      ChannelPipeline pipeline = base.channel().pipeline();
      if (pipeline.get(NAME) instanceof IdleStateHandler plain && !(plain instanceof Http2Idle)
          && pipeline.get(Http2ConnectionHandler.class) != null && plain.getAllIdleTimeInMillis() > 0) {
        pipeline.replace(NAME, NAME, new Http2Idle(plain.getAllIdleTimeInMillis()));
      }
    }
  }

  @Override
  protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent event) throws Exception {
    Http2ConnectionHandler http2 = ctx.pipeline().get(Http2ConnectionHandler.class);
    if (http2 != null && http2.connection().numActiveStreams() > 0) {
      return; // a stream is in progress: looked at again one timeout later
    }
    super.channelIdle(ctx, event);
  }
}
