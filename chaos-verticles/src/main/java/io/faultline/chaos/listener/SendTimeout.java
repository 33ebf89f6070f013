package io.faultline.chaos.listener;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2RemoteFlowController;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.buffer.Buffer;
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
 * the last write that got anywhere ({@link StallClock}), as nginx counts it, so a slow reader is not cut as
 * long as each timeout lets the kernel take more from the gateway (it asks for more once about a third of the
 * socket's send buffer is free). It is looked at every quarter of the timeout while a wait lasts: a connection
 * that is writable again costs nothing more, and one that never fills costs nothing at all (Netty skips this
 * handler for every other event).
 *
 * <p>HTTP/2 adds a wait the socket does not show: the client's flow-control windows. A client that stops reading
 * its socket holds the gateway's writes at its window (64 KiB by default), which the kernel's buffers take whole,
 * so the channel stays writable. So on an HTTP/2 connection, while some stream has data held for the client's
 * window, the client is sent a PING every quarter of the timeout: one that reads its socket answers at once, and
 * holding a stream back with its window is its right (a consumer working through a stream slowly); one that has
 * answered none, and opened the connection's window none (a WINDOW_UPDATE: it took data), for the timeout is not
 * reading, and is cut. While the socket itself is full, what it takes decides, as above (a PING waits behind it).
 *
 * <p>The cut resets the connection (SO_LINGER 0, as nginx's {@code reset_timedout_connection}): a close would
 * leave the unread bytes in the kernel, and the socket with them, probing a peer that reads nothing. It goes from
 * here toward the socket, past TLS and Vert.x, and the exchange in progress ends as one whose client left (its
 * upstream call is reset). A WebSocket relay watches its own sides ({@link DrainWatch}: its other side gets a
 * going-away close), so this handler leaves an upgraded connection at its first look.
 */
public final class SendTimeout extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = Logger.getLogger(SendTimeout.class.getName());
  static final String NAME = "faultline-send-timeout";

  private final long timeoutMs;
  private final String peer;
  /** The connection, when it is an HTTP/2 one (its flow control is watched too), else null; and its Netty handler. */
  private final HttpConnection http2;
  private final Http2ConnectionHandler http2Handler;
  /** Waits while the channel is not writable. */
  private final StallClock clock;
  private ScheduledFuture<?> check;
  /** HTTP/2: when a PING was last answered while streams waited for the client's window (-1: none wait). */
  private long lastAnswer = -1;
  /** HTTP/2: the connection's window for the client when last looked at. */
  private int windowSeen;
  private boolean pingOut;

  private SendTimeout(long timeoutMs, String peer, HttpConnection http2, Http2ConnectionHandler http2Handler) {
    this.timeoutMs = timeoutMs;
    this.peer = peer;
    this.http2 = http2Handler != null ? http2 : null;
    this.http2Handler = this.http2 != null ? http2Handler : null;
    this.clock = new StallClock(timeoutMs);
  }

  /** Watches {@code connection} (a client's, {@code peer} naming it in the warning); nothing when {@code timeoutMs} is 0. */
  public static void install(HttpConnection connection, long timeoutMs, String peer) {
    if (timeoutMs > 0 && connection instanceof ConnectionBase base) {
      Channel channel = base.channel();
      install(channel, timeoutMs, peer, connection, channel.pipeline().get(Http2ConnectionHandler.class));
    }
  }

  /** Watches {@code socket} ({@code peer} naming it in the warning); nothing when {@code timeoutMs} is 0. */
  public static void install(NetSocket socket, long timeoutMs, String peer) {
    if (timeoutMs > 0 && socket instanceof NetSocketInternal internal) {
      install(internal.channelHandlerContext().channel(), timeoutMs, peer, null, null);
    }
  }

  private static void install(Channel channel, long timeoutMs, String peer, HttpConnection connection, Http2ConnectionHandler http2) {
    if (channel.pipeline().get(NAME) == null) {
      channel.pipeline().addFirst(NAME, new SendTimeout(timeoutMs, peer, connection, http2));
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (http2 != null) {
      checkIn(ctx, clock.period()); // an HTTP/2 connection's windows are looked at all along
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (ctx.channel().isWritable()) {
      clock.end();
    } else if (clock.begin(ctx.channel()) && check == null) {
      checkIn(ctx, clock.period());
    }
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    stop();
    super.channelInactive(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    stop();
  }

  private void stop() {
    if (check != null) {
      check.cancel(false);
      check = null;
    }
    clock.end();
  }

  private void checkIn(ChannelHandlerContext ctx, long ms) {
    check = ctx.executor().schedule(() -> check(ctx), Math.max(1, ms), TimeUnit.MILLISECONDS);
  }

  private void check(ChannelHandlerContext ctx) {
    check = null;
    Channel channel = ctx.channel();
    if (!channel.isActive() || ctx.isRemoved()) {
      clock.end();
      return;
    }
    if (ctx.pipeline().get(WebSocketFrameDecoder.class) != null) {
      ctx.pipeline().remove(this); // a WebSocket relay's: it watches its sides itself
      return;
    }
    long now = System.nanoTime();
    long left = clock.left(channel, now);
    if (http2 != null && !clock.waiting()) { // a full socket is judged by what it takes (a PING would wait behind it)
      left = Math.min(left, windowsLeft(now));
    }
    if (left <= 0) {
      cut(ctx);
    } else if (clock.waiting() || http2 != null) {
      checkIn(ctx, Math.min(clock.period(), left));
    }
  }

  /**
   * HTTP/2: how long the client has left while its windows hold data back: it shows it reads by answering a PING
   * (one is sent) or by opening the connection's window (a WINDOW_UPDATE: it took some data).
   */
  private long windowsLeft(long now) {
    Http2ConnectionHandler handler = http2Handler;
    if (!heldByWindows(handler)) {
      lastAnswer = -1;
      return Long.MAX_VALUE;
    }
    int window = handler.encoder().flowController().windowSize(handler.connection().connectionStream());
    if (lastAnswer < 0 || window != windowSeen) {
      lastAnswer = now;
      windowSeen = window;
    }
    if (!pingOut) {
      pingOut = true;
      http2.ping(Buffer.buffer(new byte[8])).onComplete(answered -> {
        pingOut = false;
        if (answered.succeeded() && lastAnswer >= 0) {
          lastAnswer = System.nanoTime();
        }
      });
    }
    return timeoutMs - (now - lastAnswer) / 1_000_000;
  }

  /**
   * Whether some stream the gateway still sends on waits for the client's flow-control window: its window, or the
   * connection's, is spent, or Netty holds data of it (Vert.x stops writing once a window is spent, so the data
   * may wait above Netty, in Vert.x's queue or the paused upstream).
   */
  private static boolean heldByWindows(Http2ConnectionHandler handler) {
    Http2RemoteFlowController windows = handler.encoder().flowController();
    boolean connectionSpent = windows.windowSize(handler.connection().connectionStream()) <= 0;
    boolean[] held = {false};
    try {
      handler.connection().forEachActiveStream(stream -> {
        held[0] = stream.state().localSideOpen()
            && (connectionSpent || windows.windowSize(stream) <= 0 || windows.hasFlowControlled(stream));
        return !held[0];
      });
    } catch (io.netty.handler.codec.http2.Http2Exception e) {
      return false;
    }
    return held[0];
  }

  private void cut(ChannelHandlerContext ctx) {
    clock.end();
    Channel channel = ctx.channel();
    LOG.warning(() -> peer + " " + channel.remoteAddress() + " took nothing sent to it for " + timeoutMs
        + " ms (send_timeout_ms): its connection is reset");
    try {
      channel.config().setOption(ChannelOption.SO_LINGER, 0); // a reset: the unread bytes go with the socket
    } catch (RuntimeException e) {
      // not a socket that lingers (a test's embedded channel): closed all the same
    }
    ctx.close();
  }
}
