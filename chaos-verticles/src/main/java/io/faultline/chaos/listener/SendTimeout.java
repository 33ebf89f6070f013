package io.faultline.chaos.listener;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Closes a connection whose peer has taken nothing of what is sent to it for the listener's send timeout
 * ({@code send_timeout_ms}, nginx's {@code send_timeout}): a client that stopped reading a streamed answer
 * held its connection, and the upstream's that the relay paused for it, for ever.
 *
 * <p>The wait is the connection's: its socket's send buffer is full and Netty's outbound buffer past its high
 * water mark (the channel is not writable), which is where every relay pauses its source. The clock counts from
 * the last bytes the peer took ({@link OutboundProgress}), not from the start of the wait, so a slow reader is
 * never cut; it is looked at every quarter of the timeout while a wait lasts, so a connection that is writable
 * again costs nothing more, and one that never fills costs nothing at all (Netty skips this handler for every
 * other event). The close goes from here toward the socket, past TLS and Vert.x, as the peer is not reading:
 * the exchange in progress ends as one whose client left (its upstream call is reset). A WebSocket relay
 * watches its own sides ({@link DrainWatch}: its other side gets a going-away close), so an upgraded
 * connection is left to it.
 */
public final class SendTimeout extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = Logger.getLogger(SendTimeout.class.getName());
  static final String NAME = "faultline-send-timeout";

  private final long timeoutMs;
  private final String peer;
  private final OutboundProgress progress = new OutboundProgress();
  /** Whether the channel is not writable, and since when its peer has taken nothing ({@link System#nanoTime()}). */
  private boolean waiting;
  private long since;
  private boolean checkPending;

  private SendTimeout(long timeoutMs, String peer) {
    this.timeoutMs = timeoutMs;
    this.peer = peer;
  }

  /** Watches {@code connection} (a client's, {@code peer} naming it in the warning); nothing when {@code timeoutMs} is 0. */
  public static void install(HttpConnection connection, long timeoutMs, String peer) {
    if (timeoutMs > 0 && connection instanceof ConnectionBase base) {
      install(base.channel(), timeoutMs, peer);
    }
  }

  /** Watches {@code socket} ({@code peer} naming it in the warning); nothing when {@code timeoutMs} is 0. */
  public static void install(NetSocket socket, long timeoutMs, String peer) {
    if (timeoutMs > 0 && socket instanceof NetSocketInternal internal) {
      install(internal.channelHandlerContext().channel(), timeoutMs, peer);
    }
  }

  private static void install(Channel channel, long timeoutMs, String peer) {
    if (channel.pipeline().get(NAME) == null) {
      channel.pipeline().addFirst(NAME, new SendTimeout(timeoutMs, peer));
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (ctx.channel().isWritable()) {
      waiting = false;
    } else if (!waiting) {
      waiting = true;
      since = System.nanoTime();
      progress.lookAfterFlush(ctx.channel());
      if (!checkPending) {
        checkIn(ctx, period());
      }
    }
    super.channelWritabilityChanged(ctx);
  }

  private long period() {
    return Math.max(1, timeoutMs / 4);
  }

  private void checkIn(ChannelHandlerContext ctx, long ms) {
    checkPending = true;
    ctx.executor().schedule(() -> check(ctx), Math.max(1, ms), TimeUnit.MILLISECONDS);
  }

  private void check(ChannelHandlerContext ctx) {
    checkPending = false;
    Channel channel = ctx.channel();
    if (!waiting || !channel.isActive() || ctx.isRemoved()) {
      progress.forget();
      return;
    }
    long now = System.nanoTime();
    if (progress.moved(channel)) {
      since = now;
    }
    long left = timeoutMs - (now - since) / 1_000_000;
    if (left > 0) {
      checkIn(ctx, Math.min(period(), left));
      return;
    }
    progress.forget();
    if (ctx.pipeline().get(WebSocketFrameDecoder.class) != null) {
      ctx.pipeline().remove(this); // a WebSocket relay's: it watches its sides itself
      return;
    }
    LOG.warning(() -> peer + " " + channel.remoteAddress() + " took nothing sent to it for " + timeoutMs
        + " ms (send_timeout_ms): its connection is closed");
    ctx.close();
  }
}
