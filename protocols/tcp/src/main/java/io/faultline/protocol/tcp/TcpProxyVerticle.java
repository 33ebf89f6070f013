package io.faultline.protocol.tcp;

import io.faultline.chaos.config.ChaosSections;
import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.config.TcpConfig;
import io.faultline.chaos.config.Upstream;
import io.faultline.chaos.engine.ChaosSnapshot;
import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.exchange.Exchange;
import io.faultline.chaos.exchange.ExchangeRunner;
import io.faultline.chaos.listener.Drainable;
import io.faultline.chaos.listener.SendTimeout;
import io.faultline.chaos.state.ChaosState;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * One tcp listener: accepts connections, runs each through the chaos lifecycle ({@link ExchangeRunner}
 * with the {@link TcpTranslator}), connects to the upstream and relays bytes both ways, a plain
 * back-pressured pipe unless toxics act on the connection. It watches the chaos state: when the toxics
 * of its open connections change they follow at once, and when the listener goes {@code down} it stops
 * listening and closes its connections (clients are refused), listening again on the same port when it
 * comes back up. One instance per listener, on one event loop.
 */
public final class TcpProxyVerticle extends VerticleBase implements Drainable {

  private static final Logger LOG = Logger.getLogger(TcpProxyVerticle.class.getName());

  private final ListenerConfig listener;
  /** Its peers, as the send timeout's warning names them. */
  private final String clients;
  private final String upstreams;
  private final ChaosState state;
  private final int bindPort;
  private final ChaosListener events;
  private final Upstream upstream;
  private final TcpFacts listenerFacts;
  private final Runnable stopped;
  private final Set<Connection> open = new LinkedHashSet<>();
  private final AtomicBoolean replanQueued = new AtomicBoolean();
  private ExchangeRunner<Connection> runner;
  private NetClient client;
  private NetServer server;
  private int port;
  private long connections;
  private Runnable unwatch = () -> { };
  private volatile boolean down;
  /** How often a listener that could not get its port back tries again. */
  static final long RELISTEN_MS = 1_000;
  private long relisten = -1;
  /** Whether the listener is trying to get its port back (its warning is logged once). */
  private boolean retrying;
  private boolean stopping;
  /** Draining: the port stays closed whatever chaos says next. Only on this verticle's context. */
  private boolean draining;
  private volatile Promise<Void> settling = Promise.promise();
  private Future<?> transitions = Future.succeededFuture();

  /** {@code bindPort} 0 picks a free port. {@code stopped} runs when it is undeployed. */
  public TcpProxyVerticle(ListenerConfig listener, ChaosState state, int bindPort, ChaosListener events, Runnable stopped) {
    this.stopped = stopped;
    this.listener = listener;
    this.clients = "listener " + listener.name() + ": client";
    this.upstreams = "listener " + listener.name() + ": upstream";
    this.state = state;
    this.bindPort = bindPort;
    this.events = events;
    this.upstream = Upstream.parse(listener.upstream(), "upstream");
    this.listenerFacts = new TcpFacts(listener.name(), "");
    settling.complete();
  }

  @Override
  public Future<?> start() {
    runner = new ExchangeRunner<>(vertx, listener.name(), TcpFacts.PROTOCOL, state, events, new TcpTranslator(vertx, this));
    // TCP_QUICKACK: Vert.x otherwise switches it off before connecting, and Linux then holds the handshake's
    // last ACK for up to 200 ms: an upstream that speaks first (SMTP, MySQL, SSH) could not accept until then
    client = vertx.createNetClient(new NetClientOptions().setConnectTimeout((int) Math.min(Integer.MAX_VALUE, listener.connectTimeoutMs()))
        .setTcpQuickAck(true));
    Future<NetServer> bound = listen(bindPort).onSuccess(s -> {
      port = s.actualPort();
      LOG.info(() -> listener.describe(port));
    });
    transitions = bound;
    Context context = this.context;
    // Watched from now on, the current state first: a listener that starts down closes its port once bound.
    unwatch = state.watch(snapshot -> watched(snapshot, context));
    return bound;
  }

  /** Closes the connections and the port, answering once the port refuses (a deleted proxy's port is free again). */
  @Override
  public Future<?> stop() {
    stopping = true;
    if (relisten >= 0) {
      vertx.cancelTimer(relisten);
    }
    unwatch.run();
    stopped.run();
    // at once: a close after what is queued let a client that stopped reading keep its connection for the send timeout
    new ArrayList<>(open).forEach(Connection::closeNow);
    NetServer closing = server;
    server = null;
    return closing == null ? Future.succeededFuture() : closing.close().compose(v -> Ports.released(vertx, listener.host(), port));
  }

  /**
   * Closes the port and lets the open connections run until they end or the grace is out (a TCP stream
   * has no way to say "going away"); on this verticle's context, where the port opens and closes.
   */
  @Override
  public Future<Void> drain(long graceMs) {
    Promise<Void> drained = Promise.promise();
    context.runOnContext(v -> {
      draining = true;
      NetServer closing = server;
      server = null;
      // answered once the port refuses, as stop() is: a Toxiproxy client deleting a proxy and creating it again
      // on the same port otherwise met "address in use", or a connection was still accepted by the old one
      (closing == null ? Future.<Void>succeededFuture() : closing.shutdown(graceMs, TimeUnit.MILLISECONDS)
          .eventually(() -> Ports.released(vertx, listener.host(), port))).onComplete(drained);
    });
    return drained.future();
  }

  /** The bound port (useful when the configured port is 0). */
  public int actualPort() {
    return port;
  }

  /** Completes once the listener has gone down or come back up as the last chaos state installed says. */
  public Future<Void> settled() {
    return settling.future();
  }

  /** Runs on the thread that changed the state, before the change is answered: only notes it and hands work to this loop. */
  private void watched(ChaosSnapshot snapshot, Context context) {
    boolean next = refusing(snapshot);
    if (next != down) {
      down = next;
      Promise<Void> settled = Promise.promise();
      settling = settled;
      context.runOnContext(v -> transition(next, settled));
    }
    if (replanQueued.compareAndSet(false, true)) {
      context.runOnContext(v -> {
        replanQueued.set(false);
        ChaosSnapshot now = state.snapshot();
        new ArrayList<>(open).forEach(c -> c.replan(now));
      });
    }
  }

  private boolean refusing(ChaosSnapshot snapshot) {
    ChaosSections sections = snapshot.sectionsFor(listenerFacts);
    TcpConfig tcp = sections == null ? null : sections.tcp();
    return tcp != null && tcp.refusing();
  }

  private void transition(boolean goingDown, Promise<Void> settled) {
    transitions = transitions.eventually(() -> goingDown ? stopListening() : startListening())
        .onComplete(ar -> settled.tryComplete());
  }

  /**
   * Listens on the port again. When another program took it meanwhile, it tries again every {@link #RELISTEN_MS} while
   * the listener should be up: it stayed closed for good, while the API said the proxy was enabled.
   */
  private Future<Void> startListening() {
    if (draining || stopping) {
      return Future.succeededFuture();
    }
    return listen(port)
        .onSuccess(s -> {
          retrying = false;
          LOG.info(() -> "listener " + listener.name() + " is up again on port " + port);
        })
        .onFailure(e -> {
          server = null;
          if (!retrying) { // said once, not at every attempt
            LOG.warning(() -> "listener " + listener.name() + " could not listen on port " + port + " again: " + e.getMessage()
                + "; trying again every " + RELISTEN_MS + " ms while it should be up");
          }
          retrying = true;
          relisten = vertx.setTimer(RELISTEN_MS, id -> {
            relisten = -1;
            retrying = !down;
            if (!down && server == null) {
              transition(false, Promise.promise());
            }
          });
        })
        .mapEmpty();
  }

  private Future<Void> stopListening() {
    NetServer closing = server;
    server = null;
    new ArrayList<>(open).forEach(Connection::down);
    LOG.info(() -> "listener " + listener.name() + " is down: port " + port + " refuses connections");
    return closing == null ? Future.succeededFuture() : closing.close().compose(v -> Ports.released(vertx, listener.host(), port));
  }

  private Future<NetServer> listen(int onPort) {
    NetServerOptions options = new NetServerOptions().setHost(listener.host()).setPort(onPort);
    if (listener.idleTimeout() > 0) {
      // nothing either way for that long: a byte relayed in either direction is a write or a read of the client's socket
      options.setIdleTimeout((int) Math.min(Integer.MAX_VALUE, listener.idleTimeout())).setIdleTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS);
    }
    NetServer created = vertx.createNetServer(options).connectHandler(this::accept);
    server = created;
    return created.listen();
  }

  private void accept(NetSocket socket) {
    long started = System.nanoTime();
    socket.pause();
    SendTimeout.install(socket, listener.sendTimeout(), clients);
    Connection connection = new Connection(vertx, runner, state, socket, listener.name(), started, connections++, open::remove);
    open.add(connection);
    connection.exchange = runner.start(connection, null, started);
    if (connection.exchange == null) {
      connect(connection, null);
    } else {
      connection.exchange.proceed();
    }
  }

  /** Opens the upstream side of {@code connection}; {@code exchange} (null when untouched) carries its bandwidth and toxics. */
  void connect(Connection connection, Exchange<Connection> exchange) {
    client.connect(upstream.port(), upstream.host()).onComplete(ar -> {
      if (ar.failed()) {
        runner.translator().upstreamFailed(connection, upstream.host() + ":" + upstream.port(), ar.cause());
      } else if (!connection.abandon(ar.result())) {
        SendTimeout.install(ar.result(), listener.sendTimeout(), upstreams);
        if (exchange != null) {
          exchange.opened(); // a half-open breaker's probe succeeded: not held until the connection ends
        }
        connection.relay(ar.result(), exchange == null ? 0 : exchange.verdict().throttleBps(),
            exchange == null ? null : exchange.verdict().messages().toxics());
      }
    });
  }
}
