package io.faultline.chaos.listener;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.internal.http.WebSocketInternal;

/**
 * Keeps a peer's close frame from Vert.x until the other peer has answered it. Vert.x 5.0.7 answers a close
 * frame itself, at once (and as a server closes the connection), so what the other peer still sent before its
 * own answer was lost, and its answer's code too: a relay has to answer with the other peer's close, as nginx
 * does by passing bytes. This handler sits between the frame decoder and Vert.x on each side of a relayed
 * connection; it tells the relay the peer's code and reason and holds the frame until {@link #release()},
 * which the relay calls once it has sent the peer the close that answers it. Everything else passes untouched.
 *
 * <p>A frame the decoder refuses (over the listener's 16 MiB, a protocol error) ends the connection with the close
 * its refusal names (1009 "message too big", 1002, 1007) and a log line: Vert.x closed it with no close frame and
 * said nothing, so the peer saw only 1006.
 */
public final class HeldClose extends ChannelInboundHandlerAdapter {

  private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(HeldClose.class.getName());
  /** How long a connection whose frame was refused stays open after its close, for the peer to read the close. */
  private static final long REFUSED_LINGER_MS = 1_000;

  /** Hears the peer's close code (1005: the frame had none) and reason, on the connection's event loop. */
  public interface Listener {

    void closing(int code, String reason);
  }

  private Listener listener;
  private ChannelHandlerContext context;
  private CloseWebSocketFrame held;
  private boolean released;

  private HeldClose() {
  }

  /**
   * Installs a hold in front of {@code socket}'s Vert.x handler; call it on the socket's event loop. Answers
   * null when the socket is not one whose pipeline can be reached (then Vert.x answers closes itself).
   */
  public static HeldClose install(WebSocketBase socket) {
    if (!(socket instanceof WebSocketInternal internal) || internal.channelHandlerContext() == null) {
      return null;
    }
    ChannelHandlerContext vertx = internal.channelHandlerContext();
    HeldClose hold = new HeldClose();
    vertx.pipeline().addBefore(vertx.name(), "faultline-held-close", hold);
    return hold;
  }

  /** {@code listener} hears the close held, at once if one has come already. Call it on the socket's event loop. */
  public void listen(Listener listener) {
    this.listener = listener;
    if (held != null && !released) {
      tell(held);
    }
  }

  private void tell(CloseWebSocketFrame close) {
    int code = close.statusCode();
    listener.closing(code < 0 ? 1005 : code, close.reasonText());
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    context = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof CloseWebSocketFrame close && !released && held == null) {
      held = close;
      if (listener != null) {
        tell(close);
      }
    } else {
      ctx.fireChannelRead(msg);
    }
  }

  /**
   * Hands the held close (and any later one) on to Vert.x, which finishes the closing handshake: if the relay has
   * sent the peer a close by then, that was the answer; if not, Vert.x answers with the peer's own code.
   * Runs as a task of the connection's event loop, after what the relay has written in this turn.
   */
  public void release() {
    if (released) {
      return;
    }
    released = true;
    ChannelHandlerContext ctx = context;
    if (ctx != null) {
      ctx.executor().execute(() -> {
        CloseWebSocketFrame frame = held;
        held = null;
        if (frame != null) {
          if (ctx.isRemoved()) {
            frame.release();
          } else {
            // a read of its own: Vert.x flushes what it writes while reading (its answer) when the read completes
            ctx.fireChannelRead(frame);
            ctx.fireChannelReadComplete();
          }
        }
      });
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof CorruptedWebSocketFrameException refused && ctx.channel().isActive()) {
      LOG.warning(() -> "WebSocket peer " + ctx.channel().remoteAddress() + " sent a frame refused with "
          + refused.closeStatus().code() + ": " + refused.getMessage() + "; its connection is closed");
      released = true;
      // closed from here, below Vert.x's handler, which would send a close frame of its own after this one; a moment
      // later, while the decoder skips what still comes, so that the peer reads the close before the connection ends
      // (closed with its bytes unread, the socket resets, and the peer may lose the close: 1006 again)
      ctx.writeAndFlush(new CloseWebSocketFrame(refused.closeStatus(), refused.closeStatus().reasonText()))
          .addListener(written -> ctx.executor().schedule(() -> {
            ctx.close();
          }, REFUSED_LINGER_MS, java.util.concurrent.TimeUnit.MILLISECONDS));
      return;
    }
    ctx.fireExceptionCaught(cause);
  }

  /**
   * The connection ended: a close still held goes to Vert.x first, so that the close it carried is known (its code
   * for the other side, not 1006). Dropped, an upstream that sent a message and its close and hung up at once (an
   * auth refusal) reached the client as a bare TCP close: its message and close lost, 15 of 40 in the hunt.
   */
  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    CloseWebSocketFrame frame = held;
    held = null;
    released = true;
    if (frame != null) {
      ctx.fireChannelRead(frame);
      ctx.fireChannelReadComplete();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    drop();
  }

  private void drop() {
    CloseWebSocketFrame frame = held;
    held = null;
    if (frame != null) {
      ReferenceCountUtil.release(frame);
    }
  }
}
