package io.faultline.chaos.listener;

import io.faultline.chaos.config.WebSocketConfig;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketBase;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The closing handshake of a relayed WebSocket, left to the two peers as through nginx. Vert.x 5.0.7 answers a
 * close frame itself, at once, with the peer's own code (and as a server closes the connection), so what the
 * other peer still sent before its answer was lost, and its answer's code too. Here each side's close frame is
 * held from Vert.x ({@link HeldClose}) and sent on to the other side once what came before it is through; what
 * the other side still sends before its answer is relayed, then its answer, whose code is what the first side
 * gets back. No timer of the relay's own cuts a handshake short: a close may wait behind megabytes a slow reader
 * has not read yet (in the relay's queue or in the socket's buffer, which the relay cannot see), and an answer
 * given up on after 5 s lost what came after them. Vert.x's closing timeout, {@link #CLOSING_TIMEOUT_S} on the
 * listeners' sockets (nginx's 60 s proxy timeouts), ends a handshake a side never answers: the first side then
 * gets its own code back, or, if it gives up sooner, its leaving ends the other's connection.
 *
 * <p>Used on one event loop, the relay's.
 */
public final class ClosingHandshake {

  /** How long a socket that was sent a close waits for the answer before Vert.x closes its connection (seconds). */
  public static final int CLOSING_TIMEOUT_S = 60;
  /** RFC 6455's "no status received": the close frame had no code. */
  private static final int NO_CODE = 1005;
  /** 1001: the close a side's peer vanishing is relayed as. */
  public static final int GOING_AWAY = 1001;
  /** The reason a vanished client is relayed with. */
  public static final String CLIENT_LOST = "client connection lost";
  private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(ClosingHandshake.class.getName());
  /**
   * Vert.x's WebSocket class, and its field that holds the connection (null if it cannot be read: a close without a code
   * then goes as 1000, and {@code WebSocketClosingHandshakeTest} fails).
   */
  private static final Class<?> CONNECTION_OWNER = io.vertx.core.http.impl.WebSocketImplBase.class;
  private static final java.lang.invoke.VarHandle CONNECTION = connectionField();

  /** A close to send a side: {@link WebSocketConfig#ABRUPT} ends its connection without a close frame. */
  public record Close(int code, String reason) {
  }

  /** How the relay reaches one side. */
  public interface Way {

    /** Runs {@code action} once what the other side sent before now has been passed on to this side. */
    void afterWhatCameBefore(Runnable action);

    /** Sends this side a close with {@code code} (1006: the relay closes its connection abruptly) and reason. */
    void close(int code, String reason);

    /** A way of the two functions. */
    static Way of(Consumer<Runnable> afterWhatCameBefore, BiConsumer<Integer, String> close) {
      return new Way() {
        @Override
        public void afterWhatCameBefore(Runnable action) {
          afterWhatCameBefore.accept(action);
        }

        @Override
        public void close(int code, String reason) {
          close.accept(code, reason);
        }
      };
    }
  }

  /** One side's part in the handshake. */
  public static final class Side {

    private final HeldClose hold;
    private final Way way;
    private Integer said;
    private String reason;
    private boolean sent;

    private Side(HeldClose hold, Way way) {
      this.hold = hold;
      this.way = way;
    }

    /** The code of the close this side sent (null: none yet). */
    public Integer said() {
      return said;
    }

    public String reason() {
      return reason;
    }

    /** Whether this side has been sent a close. */
    public boolean sent() {
      return sent;
    }

    private void release() {
      if (hold != null) {
        hold.release();
      }
    }
  }

  private final Vertx vertx;
  private final Side client;
  private final Side upstream;
  private boolean ended;

  /** {@code clientHold} and {@code upstreamHold} hold each side's close (null: none could be installed, Vert.x answers). */
  public ClosingHandshake(Vertx vertx, HeldClose clientHold, Way toClient, HeldClose upstreamHold, Way toUpstream) {
    this.vertx = vertx;
    this.client = new Side(clientHold, toClient);
    this.upstream = new Side(upstreamHold, toUpstream);
  }

  /**
   * Starts hearing both sides' closes. Call it once the upstream socket has been resumed: a close it sent while
   * paused goes after the frames the resumed socket hands over first.
   */
  public void start() {
    Context context = vertx.getOrCreateContext();
    if (client.hold != null) {
      client.hold.listen((code, reason) -> context.runOnContext(v -> said(client, upstream, code, reason)));
    }
    if (upstream.hold != null) {
      upstream.hold.listen((code, reason) -> context.runOnContext(v -> said(upstream, client, code, reason)));
    }
  }

  public Side client() {
    return client;
  }

  public Side upstream() {
    return upstream;
  }

  /** Whether either side has closed: the handshake ends by itself (at the latest, at Vert.x's closing timeout). */
  public boolean underWay() {
    return client.said != null || upstream.said != null;
  }

  /**
   * A close of the upstream's that Vert.x read and answered itself, after every frame before it: one that came before
   * its hold was installed, or a held one once released (then known already: false, nothing to do). True when the
   * client is to be sent it.
   */
  public boolean answeredByVertx(int code, String reason) {
    if (upstream.said != null) {
      return false;
    }
    upstream.said = code;
    upstream.reason = reason;
    return true;
  }

  /**
   * {@code from}'s close frame has come, held from Vert.x: once what {@code from} sent before it is through, {@code to}
   * gets it. If {@code to} had been sent a close already, this is the answer to it: {@code from}'s Vert.x may finish
   * its side, and {@code to}'s held close gets this code back.
   */
  private void said(Side from, Side to, int code, String reason) {
    if (from.said != null || ended) {
      from.release();
      return;
    }
    from.said = code;
    from.reason = reason;
    if (from.sent) {
      from.release();
    }
    to.way.afterWhatCameBefore(() -> send(to, code, reason));
  }

  /** Sends {@code side} a close; a close it sent, held, is answered by it. */
  public void send(Side side, int code, String reason) {
    side.sent = true;
    side.way.close(code, reason);
    if (side.said != null) {
      side.release();
    }
  }

  /**
   * The client's connection has closed and what it sent before is through: the close the upstream is to get. The
   * client's own close; if it hung up without one, the upstream's own code back when its close was waiting for an
   * answer, else a going-away close; otherwise the close Vert.x read from it.
   */
  public Close clientGone(WebSocketBase socket) {
    if (client.said != null) {
      return new Close(client.said, client.reason);
    }
    if (hungUp(socket)) {
      return upstream.said != null ? new Close(upstream.said, upstream.reason) : new Close(GOING_AWAY, CLIENT_LOST);
    }
    return new Close(socket.closeStatusCode(), socket.closeReason());
  }

  /**
   * The upstream's connection has closed and what it sent before is through: the close the client is to get, or
   * null when it was sent the upstream's already. The upstream's own close (held, or read by Vert.x before its hold
   * was there); if it hung up without one, the client's own code back when the client's close was waiting for an
   * answer, else an abrupt end ({@link WebSocketConfig#ABRUPT}), as the upstream gave.
   */
  public Close upstreamGone(WebSocketBase socket) {
    if (upstream.said != null) {
      return client.sent ? null : new Close(upstream.said, upstream.reason);
    }
    if (!hungUp(socket)) {
      return new Close(socket.closeStatusCode(), socket.closeReason());
    }
    return client.said != null ? new Close(client.said, client.reason) : new Close(WebSocketConfig.ABRUPT, null);
  }

  /**
   * The client has gone: the upstream is sent {@code close} unless it was sent one, and then, unless its connection
   * has closed already ({@code upstreamOpen} false), that connection is ended: its answer would reach nobody, and
   * an upstream that kept its connection after the handshake would keep both for ever. The end comes once what was
   * written to it has gone out ({@code boundMs} at most: the send timeout), the close written in this turn with it.
   */
  public void lastWordToUpstream(Close close, WebSocketBase socket, boolean upstreamOpen, long boundMs) {
    if (!upstream.sent) {
      send(upstream, close.code(), close.reason());
    }
    if (upstreamOpen) {
      // once what was relayed to it and that close have gone out (a slow reader lost their tail), boundMs at most
      vertx.runOnContext(v -> AbruptClose.closeOnceWritten(socket, boundMs));
    }
  }

  /**
   * Sends {@code socket} a close frame without a code, through its Vert.x connection as {@link WebSocketBase#close}
   * does (which always writes one: 1000, "normal closure", more than the peer said): the connection then keeps the
   * handshake's state as for any close. Where that connection cannot be reached, 1000 it is.
   */
  private static void closeWithoutCode(WebSocketBase socket) {
    if (CONNECTION != null && CONNECTION_OWNER.isInstance(socket)) {
      ((io.vertx.core.net.impl.VertxConnection) CONNECTION.get(socket)).shutdown(
          new io.netty.handler.codec.http.websocketx.CloseWebSocketFrame(true, 0, io.netty.buffer.Unpooled.EMPTY_BUFFER), 0L,
          java.util.concurrent.TimeUnit.SECONDS);
    } else {
      socket.close();
    }
  }

  private static java.lang.invoke.VarHandle connectionField() {
    try {
      return java.lang.invoke.MethodHandles.privateLookupIn(CONNECTION_OWNER, java.lang.invoke.MethodHandles.lookup())
          .findVarHandle(CONNECTION_OWNER, "conn", io.vertx.core.net.impl.VertxConnection.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /** True when {@code socket} closed without a close frame (Vert.x reports 1006 for that, or nothing). */
  public static boolean hungUp(WebSocketBase socket) {
    Short code = socket.closeStatusCode();
    return code == null || code == WebSocketConfig.ABRUPT;
  }

  /**
   * One side has read nothing relayed to it for the send timeout ({@code clientStuck}: the client): its connection is
   * closed without a close frame (one would wait behind what it does not read), and the other side is sent a
   * going-away close saying which; {@code what} and {@code peer} name the connection in the log's warning.
   */
  public void cutStalled(boolean clientStuck, String what, Object peer) {
    String stuck = clientStuck ? "client" : "upstream";
    LOG.warning(() -> what + " " + stuck + " " + peer + " read nothing relayed to it for the send timeout: its connection is closed");
    send(clientStuck ? client : upstream, WebSocketConfig.ABRUPT, null);
    send(clientStuck ? upstream : client, GOING_AWAY, "faultline: " + stuck + " is not reading");
  }

  /** The connection is over: what is held goes to Vert.x (which drops it on a closed one). */
  public void end() {
    ended = true;
    client.release();
    upstream.release();
  }

  /**
   * Closes {@code socket} with {@code code} and reason, or without a code if its peer sent none (1005), or without a
   * close frame ({@link WebSocketConfig#ABRUPT}); not twice.
   */
  public static void close(WebSocketBase socket, int code, String reason) {
    if (code == WebSocketConfig.ABRUPT) {
      AbruptClose.close(socket);
      return;
    }
    if (socket.isClosed()) {
      return;
    }
    if (code == NO_CODE) {
      closeWithoutCode(socket); // the peer sent no code: neither does its relay (RFC 6455 7.4.1: 1005 is never sent)
    } else {
      socket.close((short) code, reason);
    }
  }
}
