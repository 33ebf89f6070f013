package io.faultline.chaos.listener;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Batches a client connection's flushes: everything a listener writes to it in one turn of its event
 * loop goes out in one system call. A proxy writes to the client while it reads the upstream's
 * connection, and Vert.x flushes such writes at once (it only defers the flushes of a connection it is
 * reading), so a relayed stream of small messages (WebSocket frames, gRPC messages) cost a system call
 * each, and an HTTP answer two (its head with its body, then its end). Netty's
 * {@link FlushConsolidationHandler} defers them to the end of the turn, or the end of the read when the
 * connection is being read.
 */
public final class FlushBatching {

  static final String NAME = "faultline-flushes";
  /** Flushes deferred at most this many times in a row (Netty's default) before one goes out at once. */
  private static final int MAX_DEFERRED = 256;

  private FlushBatching() {
  }

  public static void install(HttpConnection connection) {
    if (connection instanceof ConnectionBase base) {
      ChannelPipeline pipeline = base.channel().pipeline();
      if (pipeline.get(NAME) == null) {
        pipeline.addFirst(NAME, new FlushConsolidationHandler(MAX_DEFERRED, true));
      }
    }
  }
}
