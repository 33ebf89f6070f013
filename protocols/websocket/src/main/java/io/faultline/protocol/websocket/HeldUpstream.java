package io.faultline.protocol.websocket;

import io.faultline.chaos.listener.HeldClose;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketFrame;

/**
 * An upstream socket's frames and close, taken through handlers set as soon as it opens and kept paused
 * until the relay starts. Vert.x refuses handlers on a socket once its close frame has come, even while
 * the frames before it still wait behind the pause: an upstream that sent a few messages and closed
 * during the client's handshake lost them all (18 of 30 connections in the hunt), chaos or not.
 */
final class HeldUpstream {

  private final Vertx vertx;
  private Handler<WebSocketFrame> frames = frame -> { };
  private Handler<Void> close;
  private boolean closed;
  /** Its close frame, held from Vert.x from the moment it opened (null if it had closed by then). */
  final HeldClose heldClose;

  /** Takes over {@code upstream}'s handlers and pauses it; call it before anything can close it (on its event loop, as it opens). */
  HeldUpstream(Vertx vertx, WebSocket upstream) {
    this.vertx = vertx;
    upstream.pause();
    if (upstream.isClosed()) {
      closed = true; // closed before its opening was even handed over: Vert.x takes no handler now, its close goes on
      heldClose = null;
      return;
    }
    heldClose = HeldClose.install(upstream);
    upstream.exceptionHandler(e -> { });
    upstream.frameHandler(frame -> frames.handle(frame));
    upstream.closeHandler(v -> {
      closed = true;
      Handler<Void> handler = close;
      if (handler != null) {
        handler.handle(null);
      }
    });
  }

  void frameHandler(Handler<WebSocketFrame> handler) {
    frames = handler;
  }

  /**
   * Runs {@code handler} when the socket closes; if it has closed already, after the turn in which the socket,
   * resumed, hands over the frames it held, so that they go first.
   */
  void closeHandler(Handler<Void> handler) {
    close = handler;
    if (closed) {
      vertx.runOnContext(v -> handler.handle(null));
    }
  }
}
