package io.faultline.protocol.tcp;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;

/**
 * What a TCP relay needs of a socket that Vert.x has no public call for: a peer's FIN seen in order
 * with its bytes, and an RST instead of a FIN.
 */
final class Sockets {

  private Sockets() {
  }

  /**
   * Keeps {@code socket} open for writing when its peer sends a FIN (Vert.x would close it at once), and
   * marks that FIN with an empty buffer after the peer's last bytes, so whatever reads the socket sees the
   * end of its input in order ({@link #isEnd}). A relay then passes the FIN on only once those bytes are
   * through ({@link #shutdownOutput}), and closes this side only when the other direction ends too.
   */
  static void seeFinsInOrder(NetSocket socket) {
    if (socket instanceof NetSocketInternal internal) {
      Channel channel = internal.channelHandlerContext().channel();
      channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
      // Events bypass Vert.x's queue of bytes not yet handed on (a paused socket holds some): the marker takes the bytes' path.
      // The read is completed too, as Netty completes its own: the event comes after Netty's last read completed, and Vert.x
      // hands nothing it holds to a resumed socket, nor flushes writes, while a read is open.
      internal.eventHandler(event -> {
        if (event instanceof ChannelInputShutdownEvent) {
          channel.pipeline().fireChannelRead(Unpooled.EMPTY_BUFFER).fireChannelReadComplete();
        }
      });
    }
  }

  /** True for the marker {@link #seeFinsInOrder} puts after a peer's last bytes (a read never yields an empty buffer). */
  static boolean isEnd(io.vertx.core.buffer.Buffer data) {
    return data.length() == 0;
  }

  /**
   * Sends {@code socket}'s peer a FIN once what was written to it is through, and keeps reading it: the half-close
   * a peer's FIN asks a relay to pass on. A socket that cannot half-close is ended (flushed, then closed).
   */
  static void shutdownOutput(NetSocket socket) {
    if (socket instanceof NetSocketInternal internal && internal.channelHandlerContext().channel() instanceof DuplexChannel duplex) {
      // An empty write takes the queue's path behind the bytes before it: it completes once they are written.
      internal.writeMessage(Unpooled.EMPTY_BUFFER).onComplete(written -> duplex.shutdownOutput());
    } else {
      socket.end();
    }
  }

  /**
   * Closes {@code socket} after {@code ms} without a byte either way: the bound a half-open connection keeps
   * whatever the listener's {@code idle_timeout_ms} (Vert.x closes a connection on the idle event, as for its own).
   */
  static void closeWhenIdle(NetSocket socket, long ms) {
    if (socket instanceof NetSocketInternal internal) {
      io.netty.channel.ChannelPipeline pipeline = internal.channelHandlerContext().pipeline();
      if (pipeline.get(HALF_OPEN_IDLE) == null) {
        pipeline.addFirst(HALF_OPEN_IDLE, new io.netty.handler.timeout.IdleStateHandler(0, 0, ms, java.util.concurrent.TimeUnit.MILLISECONDS));
      }
    }
  }

  private static final String HALF_OPEN_IDLE = "faultline-half-open-idle";

  /** False once {@code socket}'s connection is gone (closed or reset), before Vert.x's close handler has run. */
  static boolean isOpen(NetSocket socket) {
    return !(socket instanceof NetSocketInternal internal) || internal.channelHandlerContext().channel().isActive();
  }

  /**
   * Resets {@code socket}'s connection now: SO_LINGER 0 makes the kernel drop what is unsent and answer the close
   * with an RST (Vert.x has no public call), and the channel is closed at once ({@link #closeNow}).
   */
  static void reset(NetSocket socket) {
    close(socket, true);
  }

  /**
   * Closes {@code socket} now, from its pipeline's head, past every handler, dropping what is queued for it (what the
   * kernel holds still goes, then the FIN). Vert.x's own close (its handler intercepts a channel's close too) waits for
   * its queued writes to go out first, and TLS's for its close_notify, so a peer that read nothing was closed (or
   * reset) only after the listener's send timeout, or after it had read everything the gateway held.
   */
  static void closeNow(NetSocket socket) {
    close(socket, false);
  }

  private static void close(NetSocket socket, boolean reset) {
    if (socket instanceof NetSocketInternal internal) {
      io.netty.channel.Channel channel = internal.channelHandlerContext().channel();
      io.netty.channel.ChannelHandlerContext first = channel.pipeline().firstContext();
      if (first != null) { // null: closed already, its handlers gone
        if (reset) {
          channel.config().setOption(ChannelOption.SO_LINGER, 0);
        }
        first.close(); // Vert.x's close handler runs as for a peer's close
      }
      return;
    }
    socket.close();
  }
}
