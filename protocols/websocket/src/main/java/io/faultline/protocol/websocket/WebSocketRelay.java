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
 * <p>The closing handshake is the two peers', as through nginx: whichever side closes first, its close frame is
 * held from Vert.x ({@link HeldClose}, which would answer it at once) and sent on to the other once what it sent
 * before is through; what the other still sends before its answer is relayed, then its answer, whose code is
 * what the first gets back. A side that does not answer within {@link #CLOSE_ANSWER_MS} of getting the close
 * (or hangs up) gives the first its own code back. Once the client's connection has closed, the upstream's is
 * closed too after its close: nothing is left to wait for.
 */
final class WebSocketRelay implements Lane.Events {

  /** How a relayed connection ended, for metrics and the circuit breaker. */
  record End(boolean abrupt, boolean upstreamFailed) {
  }

  private static final short GOING_AWAY = 1001;
  /**
   * How long a close sent on waits for the other side's answer before the side that closed gets its own code back:
   * half the 10 s a peer commonly waits for an answer (Vert.x's, Netty's closing timeout) before it drops the
   * connection itself. Counted from when the close reached the other side, after what waited before it.
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
  /** Each side's part in the closing handshake. */
  private final Closing clientSide = new Closing();
  private final Closing upstreamSide = new Closing();
  /** Waits for the answer to a close sent on; at most one handshake runs. */
  private long answerTimer = -1;
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
    clientSide.hold = HeldClose.install(client);
    upstreamSide.hold = held.heldClose;
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
    // after the resume: a close it held since it opened goes after the frames the resumed socket hands over first
    if (clientSide.hold != null) {
      clientSide.hold.listen((code, reason) -> context.runOnContext(v -> saidClose(clientSide, upstreamSide, code, reason)));
    }
    if (upstreamSide.hold != null) {
      upstreamSide.hold.listen((code, reason) -> context.runOnContext(v -> saidClose(upstreamSide, clientSide, code, reason)));
    }
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
   * {@code from}'s close frame has come, held from Vert.x: once what {@code from} sent before it is through, {@code to}
   * gets it. If {@code to} had been sent a close already, this is the answer to it: {@code from}'s Vert.x may finish
   * its side, and {@code to}'s held close gets this code back.
   */
  private void saidClose(Closing from, Closing to, int code, String reason) {
    if (from.said != null || finished) {
      from.release();
      return;
    }
    from.said = code;
    from.reason = reason;
    boolean answer = from.sent;
    if (answer) {
      from.release();
      cancelAnswerTimer();
    }
    Lane lane = to == upstreamSide ? toUpstream : toClient;
    lane.afterSource(() -> lane.then(() -> {
      boolean first = !to.sent;
      sendClose(to, code, reason);
      if (first && !answer && answerTimer < 0) {
        awaitAnswer(from, from == clientSide ? toClient : toUpstream);
      }
    }));
  }

  /** Sends {@code side} a close (1006: abruptly, to the client); a close it sent, held, is answered by it. */
  private void sendClose(Closing side, int code, String reason) {
    side.sent = true;
    if (side == clientSide && code == WebSocketConfig.ABRUPT) {
      AbruptClose.close(clientConnection);
    } else {
      close(side == clientSide ? client : upstream, (short) code, reason);
    }
    if (side.said != null) {
      side.release();
    }
  }

  /**
   * Gives {@code from} its own code back if no answer has come in {@link #CLOSE_ANSWER_MS}; not while {@code back},
   * the lane toward it, still carries what the other side sends: its answer may be behind that (a client reading
   * slowly holds the upstream back, and the upstream's close with it).
   */
  private void awaitAnswer(Closing from, Lane back) {
    answerTimer = vertx.setTimer(CLOSE_ANSWER_MS, id -> {
      answerTimer = -1;
      if (back.busy()) {
        awaitAnswer(from, back);
      } else {
        from.release(); // no answer: Vert.x gives it its own code back
      }
    });
  }

  private void cancelAnswerTimer() {
    if (answerTimer >= 0) {
      vertx.cancelTimer(answerTimer);
      answerTimer = -1;
    }
  }

  /** The client's socket closed; everything it sent before is through its lane. */
  private void clientClosed() {
    clientClosed = true;
    cancelAnswerTimer();
    Integer said = clientSide.said;
    boolean lost = said == null && lost(client);
    int code = said != null ? said : lost ? GOING_AWAY : client.closeStatusCode();
    String reason = said != null ? clientSide.reason : lost ? "client connection lost" : client.closeReason();
    abrupt |= lost;
    toUpstream.then(() -> {
      if (!upstreamSide.sent) {
        sendClose(upstreamSide, code, reason);
      }
      if (!upstreamClosed) {
        // nothing is left to wait for: an upstream's answer would reach nobody (one that kept its connection after
        // the handshake kept both sockets for ever; one still to answer, 10 s of Vert.x's closing timeout). After
        // this turn, so that the close written in it is out first.
        vertx.runOnContext(v -> AbruptClose.close(upstream));
      }
    });
    finishIfClosed();
  }

  /** The upstream's socket closed; everything it sent before is through its lane. */
  private void upstreamClosed() {
    upstreamClosed = true;
    cancelAnswerTimer();
    if (upstreamSide.said == null) { // no close of its own came through its hold
      Short said = lost(upstream) ? null : upstream.closeStatusCode(); // Vert.x read one before the hold was there
      Integer clientSaid = clientSide.said;
      boolean lost = said == null && clientSaid == null;
      if (said != null) {
        String reason = upstream.closeReason();
        toClient.then(() -> sendClose(clientSide, said, reason));
      } else if (clientSaid != null) {
        // it hung up on the client's close without a close of its own: the client gets its own code back
        toClient.then(() -> sendClose(clientSide, clientSaid, clientSide.reason));
      } else {
        toClient.then(() -> sendClose(clientSide, WebSocketConfig.ABRUPT, null));
      }
      abrupt |= lost;
      upstreamFailed |= lost;
    } else if (!clientSide.sent) {
      toClient.then(() -> sendClose(clientSide, upstreamSide.said, upstreamSide.reason)); // its close, if still waiting
    }
    finishIfClosed();
  }

  /**
   * A close frame Vert.x read and passed on, after every frame before it: the upstream's, when it came before its
   * hold was installed, or once a held one is released (then it is known already, and nothing more is done).
   */
  @Override
  public void closeFrame(boolean downstream, short code, String reason) {
    if (!downstream || upstreamSide.said != null) {
      return;
    }
    upstreamSide.said = (int) code; // Vert.x has answered it
    upstreamSide.reason = reason;
    toClient.then(() -> sendClose(clientSide, code, reason));
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
    sendClose(clientSide, code, reason);
    sendClose(upstreamSide, GOING_AWAY, "faultline: client disconnected");
  }

  /**
   * The gateway is draining (its listener's server shuts down): a WebSocket never finishes by itself, so
   * each side gets a going-away close once the frames already on its lane are through.
   */
  private void goingAway() {
    if (clientSide.said != null || upstreamSide.said != null) {
      return; // a closing handshake is under way: it ends by itself, within CLOSE_ANSWER_MS
    }
    toUpstream.then(() -> sendClose(upstreamSide, GOING_AWAY, "faultline: shutting down"));
    toClient.then(() -> sendClose(clientSide, GOING_AWAY, "faultline: shutting down"));
  }

  /** True when {@code socket} closed without a close frame (Vert.x reports 1006 for that). */
  private static boolean lost(io.vertx.core.http.WebSocketBase socket) {
    Short code = socket.closeStatusCode();
    return code == null || code == WebSocketConfig.ABRUPT;
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
    cancelAnswerTimer();
    clientSide.release();
    upstreamSide.release();
    toClient.stop();
    toUpstream.stop();
    ended.accept(new End(abrupt, upstreamFailed));
  }

  /** One side's part in the closing handshake. */
  private static final class Closing {

    /** Holds its close frame from Vert.x (null: it could not be installed, Vert.x answers at once). */
    HeldClose hold;
    /** The code of the close it sent (null: none yet), and its reason. */
    Integer said;
    String reason;
    /** Whether it has been sent a close. */
    boolean sent;

    void release() {
      if (hold != null) {
        hold.release();
      }
    }
  }
}
