package io.faultline.protocol.websocket;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.internal.http.WebSocketInternal;

/**
 * Keeps a client's close frame from Vert.x until the upstream has answered it. Vert.x 5.0.7 answers a close
 * frame itself, at once, and closes the connection (the server's side of the closing handshake), so what a
 * service still sends before its own close reply never reached the client: a relay has to answer with the
 * service's close, as nginx does by passing bytes. This handler sits between the frame decoder and Vert.x;
 * it tells the relay the client's code and reason and holds the frame until {@link #release()}, which the
 * relay calls once it has sent the client the close it answers with. Everything else passes untouched.
 */
final class HeldClientClose extends ChannelInboundHandlerAdapter {

  /** Hears the client's close code (1005: the frame had none) and reason, on the connection's event loop. */
  interface Listener {

    void closing(int code, String reason);
  }

  private final Listener listener;
  private ChannelHandlerContext context;
  private CloseWebSocketFrame held;
  private boolean released;

  private HeldClientClose(Listener listener) {
    this.listener = listener;
  }

  /**
   * Installs a hold in front of {@code socket}'s Vert.x handler; call it on the socket's event loop. Answers
   * null when the socket is not one whose pipeline can be reached (then Vert.x answers closes itself).
   */
  static HeldClientClose install(WebSocketBase socket, Listener listener) {
    if (!(socket instanceof WebSocketInternal internal) || internal.channelHandlerContext() == null) {
      return null;
    }
    ChannelHandlerContext vertx = internal.channelHandlerContext();
    HeldClientClose hold = new HeldClientClose(listener);
    vertx.pipeline().addBefore(vertx.name(), "faultline-held-close", hold);
    return hold;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    context = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof CloseWebSocketFrame close && !released && held == null) {
      held = close;
      int code = close.statusCode();
      listener.closing(code < 0 ? 1005 : code, close.reasonText());
    } else {
      ctx.fireChannelRead(msg);
    }
  }

  /**
   * Hands the held close (and any later one) on to Vert.x, which finishes the closing handshake: if the relay has
   * sent the client a close by then, Vert.x closes the connection; if not, it answers with the client's own code.
   * Runs as a task of the connection's event loop, after what the relay has written in this turn.
   */
  void release() {
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
  public void channelInactive(ChannelHandlerContext ctx) {
    drop();
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
