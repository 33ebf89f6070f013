package io.faultline.chaos.listener;

import io.netty.channel.ChannelHandlerContext;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Closes a connection's TCP socket with no WebSocket close frame, which the peer reports as 1006. Vert.x
 * has no public call for this: closing an upgraded connection through its {@link HttpConnection} still
 * sends a 1000 close frame (so does closing its Netty channel: Vert.x's handler intercepts it), so this
 * starts the close below that handler.
 */
public final class AbruptClose {

  /**
   * HTTP/2's INTERNAL_ERROR (RFC 9113 7). A stream broken off mid-answer must say it failed: Vert.x's
   * {@code reset()} sends {@code NO_ERROR}, which clients take for a complete answer when the data before it
   * looked whole. nginx resets with this code when its upstream fails mid-body.
   */
  public static final long INTERNAL_ERROR = 2;

  private AbruptClose() {
  }

  /**
   * Breaks off the exchange of {@code request}, answered or not: over HTTP/2 its stream is reset with
   * {@link #INTERNAL_ERROR} and the connection's other streams go on; over HTTP/1.x, which has no other
   * way, its connection is closed.
   */
  public static void abort(HttpServerRequest request) {
    if (request.version() == HttpVersion.HTTP_2) {
      request.response().reset(INTERNAL_ERROR);
    } else {
      close(request.connection());
    }
  }

  public static void close(HttpConnection connection) {
    if (connection instanceof ConnectionBase base) {
      closeBelowVertx(base.channel().pipeline());
    } else {
      connection.close();
    }
  }

  /** Closes {@code socket}'s TCP connection with no close frame (a no-op for a socket whose pipeline is out of reach). */
  public static void close(io.vertx.core.http.WebSocketBase socket) {
    if (socket instanceof io.vertx.core.internal.http.WebSocketInternal internal && internal.channelHandlerContext() != null) {
      closeBelowVertx(internal.channelHandlerContext().pipeline());
    }
  }

  /**
   * As {@link #close(HttpConnection)}, once what was written to the connection before has gone out, {@code boundMs} at
   * most (0: no bound). A peer that vanished leaves its last messages on their way to the other, as nginx sends on
   * what it holds: closing at once discarded what Netty still held for a slow reader (up to its write queue's 64 KiB
   * and more), and the reader lost the tail of what was sent before the hang-up.
   */
  public static void closeOnceWritten(HttpConnection connection, long boundMs) {
    if (connection instanceof ConnectionBase base) {
      closeOnceWritten(base.channel().pipeline(), boundMs);
    } else {
      connection.close();
    }
  }

  /** {@link #closeOnceWritten(HttpConnection, long)} for a WebSocket's connection. */
  public static void closeOnceWritten(io.vertx.core.http.WebSocketBase socket, long boundMs) {
    if (socket instanceof io.vertx.core.internal.http.WebSocketInternal internal && internal.channelHandlerContext() != null) {
      closeOnceWritten(internal.channelHandlerContext().pipeline(), boundMs);
    }
  }

  private static void closeOnceWritten(io.netty.channel.ChannelPipeline pipeline, long boundMs) {
    io.netty.channel.Channel channel = pipeline.channel();
    io.vertx.core.net.impl.VertxHandler<?> handler = pipeline.get(io.vertx.core.net.impl.VertxHandler.class);
    io.vertx.core.net.impl.VertxConnection connection = handler == null ? null : handler.getConnection();
    if (connection == null || !channel.isActive()) {
      closeBelowVertx(pipeline);
      return;
    }
    io.netty.util.concurrent.ScheduledFuture<?> bound = boundMs <= 0 ? null
        : channel.eventLoop().schedule(() -> closeBelowVertx(pipeline), boundMs, java.util.concurrent.TimeUnit.MILLISECONDS);
    // Vert.x's flush: an empty write queued behind everything written before it (in Vert.x's own queue too, which holds
    // what the channel could not take), done once all of it has gone out
    connection.flush(flushed -> {
      if (bound != null) {
        bound.cancel(false);
      }
      closeBelowVertx(pipeline);
    });
  }

  /**
   * Starts the close from the last handler's context: it travels toward the socket past that handler, Vert.x's
   * own, which would otherwise turn the close into a close frame.
   */
  private static void closeBelowVertx(io.netty.channel.ChannelPipeline pipeline) {
    ChannelHandlerContext last = pipeline.lastContext();
    if (last != null) {
      last.close();
    } else {
      pipeline.channel().close();
    }
  }
}
