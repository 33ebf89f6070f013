package io.faultline.protocol.websocket;

import io.faultline.chaos.config.WebSocketConfig;
import io.faultline.chaos.engine.StreamChaos;
import io.faultline.chaos.listener.AbruptClose;
import io.faultline.chaos.listener.ClosingHandshake;
import io.faultline.chaos.listener.HeldClose;
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
 * <p>The closing handshake is the two peers' ({@link ClosingHandshake}), over the lanes: a close goes after what
 * its side sent before it. Once the client's connection has closed, the upstream's is closed too after its close:
 * nothing is left to wait for.
 */
final class WebSocketRelay implements Lane.Events {

  /** How a relayed connection ended, for metrics and the circuit breaker. */
  record End(boolean abrupt, boolean upstreamFailed) {
  }

  private static final short GOING_AWAY = 1001;

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
  /** The client read nothing for the send timeout: its connection is cut without waiting for what it does not read. */
  private boolean clientStalled;
  private final long sendTimeoutMs;
  private long timer = -1;
  private final ClosingHandshake closing;
  /** Whether chaos is still on: once it is off (the kill switch), no fault decided at the handshake applies. */
  private final java.util.function.BooleanSupplier chaosOn;

  /**
   * {@code following} gives the message chaos as it changes; {@code pacers} makes each direction's pacer (null:
   * no bandwidth limit); {@code faults} hears each injected fault's type; {@code ended} is called once.
   */
  WebSocketRelay(Vertx vertx, ServerWebSocket client, HttpConnection clientConnection, WebSocket upstream, HeldUpstream held,
      Following following, java.util.function.Supplier<io.faultline.chaos.shaping.Pacer> pacers, long sendTimeoutMs,
      Consumer<String> faults, Consumer<End> ended) {
    this.chaosOn = following::chaosOn;
    this.sendTimeoutMs = sendTimeoutMs;
    this.vertx = vertx;
    this.client = client;
    this.clientConnection = clientConnection;
    this.upstream = upstream;
    this.following = following;
    this.faults = faults;
    this.ended = ended;
    this.held = held;
    this.toUpstream = new Lane(vertx, client, client::frameHandler, upstream, following, false, pacers == null ? null : pacers.get(),
        chaosOn, sendTimeoutMs, this);
    this.toClient = new Lane(vertx, upstream, held::frameHandler, client, following, true, pacers == null ? null : pacers.get(),
        chaosOn, sendTimeoutMs, this);
    this.closing = new ClosingHandshake(vertx,
        HeldClose.install(client), ClosingHandshake.Way.of(toClient::afterWhatCameBefore, (code, reason) -> {
          toClient.end(); // nothing follows a close (RFC 6455 5.5.1): a drain's, a relayed one, a cut's
          if (code == WebSocketConfig.ABRUPT && clientStalled) {
            AbruptClose.close(clientConnection); // it reads nothing: what waits for it would never go
          } else if (code == WebSocketConfig.ABRUPT) {
            AbruptClose.closeOnceWritten(clientConnection, sendTimeoutMs); // the frames on their way first
          } else {
            ClosingHandshake.close(client, code, reason);
          }
        }),
        held.heldClose, ClosingHandshake.Way.of(toUpstream::afterWhatCameBefore, (code, reason) -> {
          toUpstream.end();
          ClosingHandshake.close(upstream, code, reason);
        }));
  }

  /** Starts relaying; the upstream socket should be paused since it opened, so nothing it sent is lost. */
  void start() {
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
    closing.start(); // after the resume: a close it held since it opened goes after the frames it hands over first
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

  /** The client's socket closed; everything it sent before is through its lane. */
  private void clientClosed() {
    clientClosed = true;
    abrupt |= closing.client().said() == null && ClosingHandshake.hungUp(client);
    ClosingHandshake.Close close = closing.clientGone(client);
    Runnable last = () -> closing.lastWordToUpstream(close, upstream, !upstreamClosed, sendTimeoutMs);
    if (toUpstream.stopped()) {
      last.run(); // an injected disconnect stopped the lane: nothing waits on it
    } else {
      toUpstream.then(last);
    }
    finishIfClosed();
  }

  /** The upstream's socket closed; everything it sent before is through its lane. */
  private void upstreamClosed() {
    upstreamClosed = true;
    ClosingHandshake.Close close = closing.upstreamGone(upstream);
    if (close != null) {
      boolean lost = close.code() == WebSocketConfig.ABRUPT;
      abrupt |= lost;
      upstreamFailed |= lost;
      toClient.then(() -> closing.send(closing.client(), close.code(), close.reason()));
    }
    finishIfClosed();
  }

  /**
   * A close frame Vert.x read and passed on, after every frame before it: the upstream's, when it came before its
   * hold was installed, or once a held one is released (then it is known already, and nothing more is done).
   */
  @Override
  public void closeFrame(boolean downstream, short code, String reason) {
    if (downstream && closing.answeredByVertx(code, reason)) {
      toClient.then(() -> closing.send(closing.client(), code, reason));
    }
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
    closing.send(closing.client(), code, reason);
    closing.send(closing.upstream(), GOING_AWAY, "faultline: client disconnected");
  }

  /**
   * One side has read nothing of what was relayed to it for the send timeout: what waits for it is dropped, its
   * connection closed (a close frame would wait behind what it does not read), and the other side gets a going-away
   * close naming why.
   */
  @Override
  public void sinkStalled(boolean downstream) {
    if (finished) {
      return;
    }
    abrupt = true;
    clientStalled |= downstream;
    upstreamFailed |= !downstream;
    toClient.stop();
    toUpstream.stop();
    closing.cutStalled(downstream, "WebSocket", downstream ? client.remoteAddress() : upstream.remoteAddress());
  }

  /**
   * The gateway is draining (its listener's server shuts down): a WebSocket never finishes by itself, so
   * each side gets a going-away close once the frames already on its lane are through, and nothing after it: what its
   * peer sends on is dropped ({@link Lane#end}), as what is still in the sockets is.
   */
  private void goingAway() {
    if (closing.underWay()) {
      return; // it ends by itself (at the latest, at the closing timeout)
    }
    toUpstream.then(() -> closing.send(closing.upstream(), GOING_AWAY, "faultline: shutting down"));
    toClient.then(() -> closing.send(closing.client(), GOING_AWAY, "faultline: shutting down"));
  }

  private void finishIfClosed() {
    if (finished || !clientClosed || !upstreamClosed) {
      return;
    }
    finished = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    closing.end();
    toClient.stop();
    toUpstream.stop();
    ended.accept(new End(abrupt, upstreamFailed));
  }
}
