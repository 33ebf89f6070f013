package io.faultline.chaos.listener;

import io.netty.channel.ChannelHandlerContext;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Closes a connection's TCP socket with no WebSocket close frame, which the peer reports as 1006. Vert.x
 * has no public call for this: closing an upgraded connection through its {@link HttpConnection} still
 * sends a 1000 close frame (so does closing its Netty channel: Vert.x's handler intercepts it), so this
 * starts the close below that handler.
 */
public final class AbruptClose {

  private AbruptClose() {
  }

  public static void close(HttpConnection connection) {
    if (connection instanceof ConnectionBase base) {
      // Start the close from the last handler's context: it travels toward the socket past that handler,
      // Vert.x's own, which would otherwise turn the close into a close frame.
      ChannelHandlerContext last = base.channel().pipeline().lastContext();
      if (last != null) {
        last.close();
      } else {
        base.channel().close();
      }
    } else {
      connection.close();
    }
  }
}
