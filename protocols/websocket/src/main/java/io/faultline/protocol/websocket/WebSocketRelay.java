package io.faultline.protocol.websocket;

import io.faultline.chaos.config.WebSocketConfig;
import io.faultline.chaos.engine.StreamChaos;
import io.faultline.chaos.listener.AbruptClose;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import java.util.function.Consumer;

/**
 * One relayed WebSocket connection: a {@link Lane} each way, closes relayed with their code and reason
 * once every frame before them is through, an abrupt close relayed as an abrupt close, and the
 * connection-level faults (disconnect after a time, or when a lane asks).
 *
 * <p>The closing handshake is the two peers': a client's close frame is held from Vert.x
 * ({@link HeldClientClose}) and sent on to the upstream, whose messages before its answer still reach the
 * client, and its answer's code is what the client gets back; an upstream's close frame is relayed when it
 * comes, and an upstream that keeps its connection open after the closing handshake is hung up on once the
 * client's connection has closed.
 */
final class WebSocketRelay implements Lane.Events {

  /** How a relayed connection ended, for metrics and the circuit breaker. */
  record End(boolean abrupt, boolean upstreamFailed) {
  }

  private static final short GOING_AWAY = 1001;
  /**
   * How long a client's close waits for the upstream's answer before it gets its own code back: half the 10 s a
   * client commonly waits for an answer (Vert.x's, Netty's closing timeout) before it drops the connection itself.
   */
  static final long CLOSE_ANSWER_MS = 5_000;

  private final Vertx vertx;
  private final ServerWebSocket client;
  private final HttpConnection clientConnection;
  private final WebSocket upstream;
  private final Following following;
  private final long openedNanos = System.nanoTime();
  private final Consumer<String> faults;
  private final Consumer<End> ended;
  private final HeldUpstream held;
  private final Lane toUpstream;
  private final Lane toClient;
  private boolean clientClosed;
  private boolean upstreamClosed;
  private boolean abrupt;
  private boolean upstreamFailed;
  private boolean finished;
  private long timer = -1;
  /** The client's close frame, held until the client has been sent the close that answers it (null: none, or not held). */
  private HeldClientClose heldClose;
  private Integer clientCode;
  private String clientReason;
  private long answerTimer = -1;
  /** Whether the upstream's close frame has come (its connection may stay open after it). */
  private boolean upstreamSaidClose;
  /** Whether chaos is still on: once it is off (the kill switch), no fault decided at the handshake applies. */
  private final java.util.function.BooleanSupplier chaosOn;

  /**
   * {@code following} gives the message chaos as it changes; {@code pacers} makes each direction's pacer (null:
   * no bandwidth limit); {@code faults} hears each injected fault's type; {@code ended} is called once.
   */
  WebSocketRelay(Vertx vertx, ServerWebSocket client, HttpConnection clientConnection, WebSocket upstream, HeldUpstream held,
      Following following, java.util.function.Supplier<io.faultline.chaos.shaping.Pacer> pacers, Consumer<String> faults,
      Consumer<End> ended) {
    this.chaosOn = following::chaosOn;
    this.vertx = vertx;
    this.client = client;
    this.clientConnection = clientConnection;
    this.upstream = upstream;
    this.following = following;
    this.faults = faults;
    this.ended = ended;
    this.held = held;
    this.toUpstream = new Lane(vertx, client, client::frameHandler, upstream, following, false, pacers == null ? null : pacers.get(),
        chaosOn, this);
    this.toClient = new Lane(vertx, upstream, held::frameHandler, client, following, true, pacers == null ? null : pacers.get(),
        chaosOn, this);
  }

  /** Starts relaying; the upstream socket should be paused since it opened, so nothing it sent is lost. */
  void start() {
    io.vertx.core.Context context = vertx.getOrCreateContext();
    heldClose = HeldClientClose.install(client, (code, reason) -> context.runOnContext(v -> clientSaidClose(code, reason)));
    client.exceptionHandler(e -> { });
    client.shutdownHandler(v -> goingAway());
    client.closeHandler(v -> {
      toClient.sinkClosed();
      toUpstream.afterSource(this::clientClosed);
    });
    Handler<Void> upstreamClose = v -> {
      toUpstream.sinkClosed();
      toClient.afterSource(this::upstreamClosed);
    };
    StreamChaos chaos = following.current();
    disconnectAfter(chaos == null ? null : chaos.config());
    following.onChange(this::disconnectAfter);
    toUpstream.start();
    toClient.start();
    upstream.resume();
    // it may have closed before relaying began (between its handshake and the client's): what it sent first
    // goes to the client, then its close
    held.closeHandler(upstreamClose);
  }

  /**
   * Schedules {@code config}'s disconnect_after_ms, counted from the upgrade (a change while the connection is
   * open moves it, or takes it away).
   */
  private void disconnectAfter(WebSocketConfig config) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    if (finished || config == null || !config.enabled() || config.disconnectAfterMs() <= 0) {
      return;
    }
    long left = config.disconnectAfterMs() - (System.nanoTime() - openedNanos) / 1_000_000;
    timer = vertx.setTimer(Math.max(1, left), id -> {
      timer = -1;
      if (!chaosOn.getAsBoolean()) {
        return; // switched off since
      }
      faultInjected(io.faultline.chaos.fault.MessageFaults.DISCONNECT);
      disconnect(config.closeCode(), config.closeReason());
    });
  }

  /**
   * The client's close frame has come, held: once what the client sent before it is through, the upstream gets
   * it, and the client gets the upstream's answer after whatever the upstream still sends; or, if no answer
   * comes in {@link #CLOSE_ANSWER_MS}, its own code back.
   */
  private void clientSaidClose(int code, String reason) {
    if (finished) {
      heldClose.release();
      return;
    }
    clientCode = code;
    clientReason = reason;
    toUpstream.afterSource(() -> toUpstream.then(() -> close(upstream, (short) code, reason)));
    answerTimer = vertx.setTimer(CLOSE_ANSWER_MS, id -> {
      answerTimer = -1;
      heldClose.release();
    });
  }

  /** The client's socket closed; everything it sent before is through its lane. */
  private void clientClosed() {
    clientClosed = true;
    boolean lost = clientCode == null && lost(client);
    short code = clientCode != null ? (short) (int) clientCode : lost ? GOING_AWAY : client.closeStatusCode();
    String reason = clientCode != null ? clientReason : lost ? "client connection lost" : client.closeReason();
    abrupt |= lost;
    toUpstream.then(() -> {
      close(upstream, code, reason);
      if (upstreamSaidClose && !upstreamClosed) {
        AbruptClose.close(upstream); // the closing handshake is over and the client gone: nothing is left to wait for
      }
    });
    finishIfClosed();
  }

  /** The upstream's socket closed; everything it sent before is through its lane. */
  private void upstreamClosed() {
    upstreamClosed = true;
    if (!upstreamSaidClose) { // its close frame, if it sent one, did not come through the lane
      Short said = lost(upstream) ? null : upstream.closeStatusCode();
      boolean lost = said == null && clientCode == null;
      if (said != null) {
        String reason = upstream.closeReason();
        toClient.then(() -> closeClient(said, reason));
      } else if (clientCode != null) {
        // it hung up on the client's close without a close of its own: the client gets its own code back
        toClient.then(() -> closeClient(clientCode, clientReason));
      } else {
        toClient.then(() -> closeClient(WebSocketConfig.ABRUPT, null));
      }
      abrupt |= lost;
      upstreamFailed |= lost;
    }
    finishIfClosed();
  }

  /** The upstream's close frame, after every frame it sent before: the client gets it now. */
  @Override
  public void closeFrame(boolean downstream, short code, String reason) {
    if (!downstream || upstreamSaidClose) {
      return; // the client's close frames are held before Vert.x (HeldClientClose), they do not come here
    }
    upstreamSaidClose = true;
    toClient.then(() -> closeClient(code, reason));
  }

  @Override
  public void faultInjected(String type) {
    faults.accept(type);
  }

  /** An injected disconnect: frames still waiting are lost, the client gets {@code code}, the upstream a going-away close. */
  @Override
  public void disconnect(int code, String reason) {
    if (finished || clientClosed && upstreamClosed) {
      return;
    }
    abrupt |= code == WebSocketConfig.ABRUPT;
    toClient.stop();
    toUpstream.stop();
    closeClient(code, reason);
    close(upstream, GOING_AWAY, "faultline: client disconnected");
  }

  /**
   * The gateway is draining (its listener's server shuts down): a WebSocket never finishes by itself, so
   * each side gets a going-away close once the frames already on its lane are through.
   */
  private void goingAway() {
    toUpstream.then(() -> close(upstream, GOING_AWAY, "faultline: shutting down"));
    toClient.then(() -> closeClient(GOING_AWAY, "faultline: shutting down"));
  }

  /** True when {@code socket} closed without a close frame (Vert.x reports 1006 for that). */
  private static boolean lost(io.vertx.core.http.WebSocketBase socket) {
    Short code = socket.closeStatusCode();
    return code == null || code == WebSocketConfig.ABRUPT;
  }

  /** Closes the client with {@code code} (1006: abruptly); its own close, if held, then finishes the handshake. */
  private void closeClient(int code, String reason) {
    if (code == WebSocketConfig.ABRUPT) {
      AbruptClose.close(clientConnection);
    } else {
      close(client, (short) code, reason);
    }
    if (heldClose != null) {
      heldClose.release();
    }
  }

  private static void close(io.vertx.core.http.WebSocketBase socket, short code, String reason) {
    if (socket.isClosed()) {
      return;
    }
    if (code == 1005) {
      socket.close(); // the peer sent no code, so neither do we
    } else {
      socket.close(code, reason);
    }
  }

  private void finishIfClosed() {
    if (finished || !clientClosed || !upstreamClosed) {
      return;
    }
    finished = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    if (answerTimer >= 0) {
      vertx.cancelTimer(answerTimer);
    }
    if (heldClose != null) {
      heldClose.release();
    }
    toClient.stop();
    toUpstream.stop();
    ended.accept(new End(abrupt, upstreamFailed));
  }
}
