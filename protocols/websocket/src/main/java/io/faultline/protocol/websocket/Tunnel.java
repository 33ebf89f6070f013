package io.faultline.protocol.websocket;

import io.faultline.chaos.config.Upstream;
import io.faultline.chaos.engine.Verdict;
import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.exchange.Exchange;
import io.faultline.chaos.exchange.Translator;
import io.faultline.chaos.listener.WebSocketUpgrades;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetSocket;

/**
 * A WebSocket connection whose messages chaos leaves alone (no message chaos, no bandwidth limit: chaos
 * off, or on with nothing for this connection's messages) is tunneled, as nginx proxies WebSocket. The
 * client's upgrade goes upstream with its own key, version and offered subprotocols (and the headers
 * {@link WebSocketUpgrades#forwardedHeaders} passes on), the upstream's 101 goes back to the client as it
 * answered, and from then on the bytes pass both ways as they are read, back-pressured: no frame is
 * decoded, unmasked, masked again and encoded again, which the frame relay ({@link WebSocketRelay}) does to
 * every frame. Chaos is decided once per connection, at the upgrade, so the relay would have passed every
 * frame of such a connection as it came.
 *
 * <p>A {@link FrameScan} each way follows where frames begin and whether a close frame has passed, so
 * closes are passed on as the relay passes them: a side that hangs up after its close frame ends the
 * connection cleanly; one that hangs up without one is lost, and the other side learns it. A lost upstream
 * reaches the client as a TCP close with no close frame (its 1006); a lost client reaches the upstream as a
 * 1001 "client connection lost" close frame (or, if the client stopped in the middle of a frame, as a TCP
 * close). What differs from the relay: a client's ping is answered by the upstream alone, and frames have
 * no size limit.
 */
final class Tunnel {

  private static final int GOING_AWAY = 1001;

  private final Vertx vertx;
  private final Upgrade upgrade;
  private final NetSocket client;
  private final NetSocket upstream;
  private final Flow toUpstream;
  private final Flow toClient;
  private boolean abrupt;
  private boolean upstreamFailed;

  private Tunnel(Vertx vertx, Upgrade upgrade, NetSocket client, NetSocket upstream) {
    this.vertx = vertx;
    this.upgrade = upgrade;
    this.client = client;
    this.upstream = upstream;
    this.toUpstream = new Flow(client, upstream, this::clientEnded);
    this.toClient = new Flow(upstream, client, this::upstreamEnded);
  }

  /** True when {@code exchange}'s verdict leaves the connection's messages alone (none: chaos left it untouched). */
  static boolean carries(Exchange<Upgrade> exchange) {
    if (exchange == null) {
      return true;
    }
    Verdict verdict = exchange.verdict();
    return verdict.messages().fates() == null && verdict.throttleBps() == 0;
  }

  /**
   * Opens the upstream side of {@code upgrade} on a connection of its own and tunnels the two. An upstream
   * that is down or does not answer within the route's timeout is answered by {@code translator}, one that
   * refuses the upgrade is passed on as it answered: both as the relay does.
   */
  static void open(Vertx vertx, HttpClientAgent connector, Upgrade upgrade, Exchange<Upgrade> exchange, Translator<Upgrade> translator) {
    HttpServerRequest request = upgrade.request;
    Upstream target = upgrade.route.upstream();
    RequestOptions options = WebSocketUpgrades.tunnelOptions(request, target, upgrade.route.timeoutMs());
    if (exchange != null) {
      exchange.clearTraceContext(options.getHeaders()); // Vert.x traces the upgrade: its client span carries the trace on
    }
    connector.connect(new HttpConnectOptions().setHost(target.host()).setPort(target.port()).setSsl(target.secure()))
        .compose(connection -> connection.request(options)
            .compose(out -> out.exceptionHandler(e -> { }).connect()) // a failure is the answer's, below; then its end
            .onFailure(e -> connection.close()))
        .onComplete(answered -> {
          if (answered.failed()) {
            translator.upstreamFailed(upgrade, target.toString(), answered.cause());
          } else if (answered.result().statusCode() != 101) {
            refused(upgrade, answered.result());
          } else {
            accept(vertx, upgrade, answered.result());
          }
        });
  }

  /** The upstream answered the upgrade with a plain HTTP response: the client gets it as it was. */
  private static void refused(Upgrade upgrade, HttpClientResponse answer) {
    HttpConnection connection = answer.request().connection();
    answer.body().onComplete(body -> {
      int status = answer.statusCode();
      WebSocketUpgrades.passRejection(upgrade.request, status, answer.headers(), body.succeeded() ? body.result() : Buffer.buffer());
      connection.close();
      upgrade.end(status, ChaosListener.outcome(status), status >= 500);
    });
  }

  private static void accept(Vertx vertx, Upgrade upgrade, HttpClientResponse answer) {
    NetSocket upstream = answer.netSocket();
    upstream.pause(); // until the client's side is ready for what the upstream sends first
    HttpServerRequest request = upgrade.request;
    WebSocketUpgrades.adoptTunnelHandshake(request, answer.headers());
    request.resume();
    request.toNetSocket().onComplete(opened -> {
      if (opened.failed()) { // the client left while the upstream answered
        upstream.close();
        upgrade.end(0, "dropped", false);
        return;
      }
      new Tunnel(vertx, upgrade, opened.result(), upstream).start();
    });
  }

  private void start() {
    toUpstream.start();
    toClient.start();
  }

  /** The client hung up (everything it sent before has been passed on). */
  private void clientEnded() {
    if (!toClient.ended) {
      boolean lost = !toUpstream.scan.closeSeen();
      abrupt |= lost;
      if (lost && toUpstream.scan.betweenFrames()) {
        upstream.write(FrameScan.clientClose(GOING_AWAY, "client connection lost"));
      }
      toClient.discard();
      upstream.close();
    }
    finishIfEnded();
  }

  /** The upstream hung up (everything it sent before has been passed on). */
  private void upstreamEnded() {
    if (!toUpstream.ended) {
      boolean lost = !toClient.scan.closeSeen();
      abrupt |= lost;
      upstreamFailed |= lost;
      toUpstream.discard();
      client.close(); // a TCP close with no close frame of ours: the client sees 1006 when the upstream sent none
    }
    finishIfEnded();
  }

  private void finishIfEnded() {
    if (toUpstream.ended && toClient.ended) {
      upgrade.end(101, abrupt ? "dropped" : "2xx", upstreamFailed);
    }
  }

  /** One direction: the bytes read from {@code from} written to {@code to} as they come, back-pressured. */
  private final class Flow {

    final FrameScan scan = new FrameScan();
    private final NetSocket from;
    private final NetSocket to;
    private final Runnable onEnd;
    private boolean pausedByUs;
    private boolean endSeen;
    private boolean discarding;
    boolean ended;

    Flow(NetSocket from, NetSocket to, Runnable onEnd) {
      this.from = from;
      this.to = to;
      this.onEnd = onEnd;
    }

    void start() {
      from.exceptionHandler(e -> { }); // the end that follows is what counts
      from.handler(this::pass);
      from.endHandler(v -> {
        endSeen = true;
        endIfDrained();
      });
      from.resume();
    }

    private void pass(Buffer data) {
      scan.scan(data);
      if (discarding) {
        return;
      }
      to.write(data);
      if (to.writeQueueFull()) {
        pausedByUs = true;
        from.pause();
        to.drainHandler(v -> resume());
      }
    }

    /** The other side is gone: what still comes from this one is read and dropped. */
    void discard() {
      discarding = true;
      if (pausedByUs) {
        resume();
      }
    }

    private void resume() {
      pausedByUs = false;
      from.resume();
      // The upstream's socket reports its end at once, even while bytes wait behind its pause: it ends
      // once those are through, after the turn in which the resumed socket passes them on.
      vertx.runOnContext(v -> endIfDrained());
    }

    private void endIfDrained() {
      if (endSeen && !pausedByUs && !ended) {
        ended = true;
        onEnd.run();
      }
    }
  }
}
