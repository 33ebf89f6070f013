package io.faultline.protocol.tcp;

import io.faultline.chaos.config.ChaosSections;
import io.faultline.chaos.config.TcpConfig;
import io.faultline.chaos.config.TcpToxic;
import io.faultline.chaos.engine.ChaosRandom;
import io.faultline.chaos.engine.ChaosSnapshot;
import io.faultline.chaos.engine.MessageFault;
import io.faultline.chaos.engine.ToxicDraws;
import io.faultline.chaos.exchange.Exchange;
import io.faultline.chaos.exchange.ExchangeRunner;
import io.faultline.chaos.state.ChaosState;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One client connection of a tcp listener: the exchange the chaos lifecycle runs (from the accept until
 * both sides closed), then the relay to its upstream through a {@link Link} each way. Its toxics follow
 * the chaos state while it is open ({@link #replan}), as a Toxiproxy link's do. {@link #exchange} is null
 * while chaos leaves it alone. One event loop, not thread-safe.
 */
final class Connection {

  final NetSocket client;
  final TcpFacts facts;
  Exchange<Connection> exchange;
  private final Vertx vertx;
  private final ExchangeRunner<Connection> runner;
  private final long startedNanos;
  /** When its upstream connection was made (0: not yet, or never). */
  private long connectedNanos;
  private final long number;
  private final Consumer<Connection> onFinish;
  private NetSocket upstream;
  private Link toUpstream;
  private Link toClient;
  private final ChaosState state;
  private ToxicDraws draws;
  private ChaosSnapshot seen;
  private TcpConfig tcp;
  private boolean planned;
  private boolean toUpstreamEnded;
  private boolean toClientEnded;
  private boolean clientClosed;
  private boolean upstreamClosed;
  private boolean faulted;
  private boolean finished;
  private boolean reported;

  /** {@code number} counts the listener's connections (it seeds draws the engine did not); {@code onFinish} hears the end. */
  Connection(Vertx vertx, ExchangeRunner<Connection> runner, ChaosState state, NetSocket client, String listener, long startedNanos,
      long number, Consumer<Connection> onFinish) {
    this.vertx = vertx;
    this.state = state;
    this.runner = runner;
    this.client = client;
    this.startedNanos = startedNanos;
    this.number = number;
    this.onFinish = onFinish;
    this.facts = new TcpFacts(listener, client.remoteAddress() == null ? "" : client.remoteAddress().hostAddress());
    Sockets.seeFinsInOrder(client);
    client.exceptionHandler(e -> { });
    client.closeHandler(v -> {
      clientClosed = true;
      if (toUpstreamEnded) {
        upstream.close(); // its FIN passed on already, the client is gone: nothing can reach either side any more
      }
      finishIfClosed();
    });
  }

  boolean clientGone() {
    return clientClosed;
  }

  /**
   * Relays to {@code socket} both ways. {@code bytesPerSecond} (0: none) paces both directions; {@code toxics}
   * (null when the engine gave none at the accept) seeds the toxicity draws; which toxics run is read from
   * the chaos state, now and as it changes.
   */
  void relay(NetSocket socket, long bytesPerSecond, MessageFault.Toxics toxics) {
    connectedNanos = System.nanoTime();
    upstream = socket;
    toUpstream = new Link(vertx, this, socket);
    toClient = new Link(vertx, this, client);
    if (bytesPerSecond > 0) {
      toUpstream.pace(bytesPerSecond);
      toClient.pace(bytesPerSecond);
    }
    if (toxics != null) {
      draws = new ToxicDraws(toxics.seed());
    }
    Sockets.seeFinsInOrder(socket);
    socket.exceptionHandler(e -> { });
    socket.closeHandler(v -> {
      upstreamClosed = true;
      if (toClientEnded) {
        client.close();
      }
      finishIfClosed();
    });
    replan(state.snapshot());
    client.pipeTo(toUpstream);
    socket.pipeTo(toClient);
  }

  /**
   * Before each chunk either way: one volatile read, and when the chaos state changed since, the toxics it
   * gives. So bytes sent after a change was answered meet the new toxics, as with Toxiproxy, whose API
   * answers once every link runs them (the listener's watch also replans connections that stay silent).
   */
  void follow() {
    ChaosSnapshot now = state.snapshot();
    if (now != seen) {
      replan(now);
    }
  }

  /** Runs the toxics {@code snapshot} gives this connection, if they changed since it last looked. */
  void replan(ChaosSnapshot snapshot) {
    if (toUpstream == null || finished) {
      return;
    }
    seen = snapshot;
    if (!snapshot.enabled()) {
      // the kill switch: the bandwidth decided at the accept goes too, as a throttled HTTP body goes on at full speed
      // (a pooled database connection kept its limit for as long as it lived)
      toUpstream.pace(0);
      toClient.pace(0);
    }
    ChaosSections sections = snapshot.sectionsFor(facts);
    TcpConfig next = sections == null ? null : sections.tcp();
    if (planned && Objects.equals(next, tcp)) {
      return;
    }
    planned = true;
    tcp = next;
    if (draws == null && next != null && !next.active().isEmpty()) {
      // the listener's name in the seed: each proxy counts its connections from 0, and the first of every proxy drew
      // alike (a toxicity of 0.5 on two proxies hit both of their first connections, or neither)
      draws = new ToxicDraws(ChaosRandom.forRequest(snapshot.seed() ^ ChaosRandom.forRequest(facts.listener().hashCode(), -1).nextLong(),
          number).nextLong());
    }
    List<TcpToxic> applying = draws == null ? List.of() : draws.applying(next);
    // chaos switched off stops the toxics, as an update does, rather than removing them: a removed timeout closes the
    // connection and a reset_peer that has begun its countdown resets it, where the kill switch lets the bytes go on.
    // So does a tcp section or the listener's own rule switched off (enabled: false): its toxics are still listed.
    java.util.Set<String> listed = !snapshot.config().enabled() ? null : listed(snapshot, next);
    toUpstream.toxics(applying.stream().filter(t -> !t.downstream()).toList(), listed, draws);
    toClient.toxics(applying.stream().filter(TcpToxic::downstream).toList(), listed, draws);
  }

  /**
   * The toxics still configured, in force or not: a tcp section with {@code enabled: false}, a rule switched off, or one
   * another rule now wins over (a general rule's, the listener's own under a general one added after). Those not named
   * here were removed. A general rule switched off, or the Toxiproxy proxy's toxics under a rule added later, were taken
   * for removed: a timeout toxic closed every connection through the listener.
   */
  private java.util.Set<String> listed(ChaosSnapshot snapshot, TcpConfig next) {
    java.util.Set<String> names = new java.util.HashSet<>();
    if (next != null) {
      next.toxics().forEach(t -> names.add(t.name()));
    }
    if (snapshot.config().tcp() != null) {
      snapshot.config().tcp().toxics().forEach(t -> names.add(t.name()));
    }
    for (io.faultline.chaos.config.ChaosRule rule : snapshot.config().rules()) {
      // only rules that name this listener or none: toxic names are unique within a proxy alone (an unnamed one is
      // TYPE_STREAM), and another proxy's timeout_downstream kept this one's from closing when it was removed
      String only = rule.match() == null ? null : rule.match().listener();
      if (rule.tcp() != null && (only == null || only.equals(facts.listener()))) {
        rule.tcp().toxics().forEach(t -> names.add(t.name()));
      }
    }
    return names;
  }

  /**
   * {@code link}'s source sent its FIN and every byte before it is through: the FIN is passed on, and the other
   * direction goes on until its own FIN (a client that shuts down its sending side still reads the answer). Once
   * both directions ended, both sockets close.
   */
  void ended(Link link) {
    boolean both = link == toUpstream ? toClientEnded : toUpstreamEnded;
    if (link == toUpstream) {
      toUpstreamEnded = true;
    } else {
      toClientEnded = true;
    }
    NetSocket destination = link == toUpstream ? upstream : client;
    NetSocket source = link == toUpstream ? client : upstream;
    if (both || !Sockets.isOpen(source)) { // a source that is gone (closed, reset) reads nothing more either
      destination.end();
      source.close();
    } else {
      Sockets.shutdownOutput(destination);
      // half open: a peer that never sends its own FIN (a client that exits waiting for an answer that never
      // comes) would hold both sockets for ever; nginx's proxy_timeout bounds it the same way
      Sockets.closeWhenIdle(client, HALF_OPEN_IDLE_MS);
      Sockets.closeWhenIdle(upstream, HALF_OPEN_IDLE_MS);
    }
  }

  /**
   * How long a half-open connection may stay silent both ways before it is closed (nginx's default proxy_timeout).
   * Not final only so that a test can shorten it; read on the event loops.
   */
  static volatile long HALF_OPEN_IDLE_MS = 10 * 60 * 1000;

  /** The toxics counted on this connection, by name and type: each once, however often it is updated or chaos switched back on. */
  private java.util.Set<String> toxicsCounted;

  /**
   * Counts toxic {@code name} of {@code type} acting on this connection, once: an update, or chaos switched off and on,
   * starts it again, and every open connection counted it again.
   */
  void toxicActs(String name, String type) {
    if (toxicsCounted == null) {
      toxicsCounted = new java.util.HashSet<>(2);
    }
    if (toxicsCounted.add(name + "/" + type)) { // one removed and added again as another type is another toxic
      injected(type);
    }
  }

  /** Counts a fault of {@code type} on this connection, which becomes an exchange of the lifecycle if it was not one. */
  void injected(String type) {
    if (exchange == null) {
      exchange = runner.late(this, null, startedNanos);
    }
    exchange.injected(type);
  }

  /**
   * A toxic ends the connection: both sides closed ({@code reset}: with an RST, at once), a close after what was let
   * through before it (limit_data's bytes up to the limit) has gone out.
   */
  void faulted(boolean reset) {
    cut(reset ? Sockets::reset : NetSocket::close);
  }

  /** The listener was removed: the connection is closed at once, what the gateway held for it dropped, as Toxiproxy's delete does. */
  void closeNow() {
    cut(Sockets::closeNow);
  }

  /** The listener went down: the connection is closed at once, what the gateway held for it dropped, as Toxiproxy closes a disabled proxy's. */
  void down() {
    injected(io.faultline.chaos.fault.DownFault.TYPE);
    cut(Sockets::closeNow);
  }

  private void cut(Consumer<NetSocket> closing) {
    faulted = true;
    for (NetSocket socket : upstream == null ? List.of(client) : List.of(client, upstream)) {
      closing.accept(socket);
    }
  }

  /**
   * Ends the exchange once: {@code status} is 0 unless the connection never reached its upstream (502, 504). Its
   * duration (faultline_request_duration_seconds, the live analytics' latencies) is to the upstream connection made, as
   * a WebSocket's is to its 101: it was the connection's whole life, so a pool's connections held ten minutes were ten
   * minute "requests" in the listener's p99 and in orchestration latency assertions.
   */
  void end(int status, String outcome, boolean failed) {
    if (reported) {
      return;
    }
    reported = true;
    if (exchange != null) {
      if (connectedNanos != 0) {
        exchange.responding(status, connectedNanos);
      }
      exchange.end(status, outcome, failed);
    } else if (connectedNanos != 0) {
      runner.untouched(ExchangeRunner.label(null), startedNanos, connectedNanos, outcome);
    } else {
      runner.untouched(ExchangeRunner.label(null), startedNanos, outcome); // to its failure: it never reached its upstream
    }
  }

  /** Closes the upstream side of a connection whose client left while it was being opened. */
  boolean abandon(NetSocket socket) {
    if (!clientClosed) {
      return false;
    }
    socket.close();
    return true;
  }

  private void finishIfClosed() {
    if (finished || !clientClosed || upstream != null && !upstreamClosed) {
      return;
    }
    finished = true;
    if (upstream == null) {
      end(0, "dropped", false); // the client left before it was relayed (or after a refusal, already counted)
    } else {
      toUpstream.dispose();
      toClient.dispose();
      end(0, faulted ? "dropped" : "2xx", faulted);
    }
    onFinish.accept(this);
  }
}
