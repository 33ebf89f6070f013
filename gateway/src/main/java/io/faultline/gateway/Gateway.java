package io.faultline.gateway;

import io.faultline.admin.AdminVerticle;
import io.faultline.admin.bridge.TcpBridgeVerticle;
import io.faultline.admin.toxiproxy.ToxiproxyVerticle;
import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.listener.ServerTls;
import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.control.ChaosControlVerticle;
import io.faultline.chaos.engine.NodeContext;
import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.event.ChaosListeners;
import io.faultline.chaos.event.TrafficRecorder;
import io.faultline.chaos.state.ChaosState;
import io.faultline.cluster.ClusterConfig;
import io.faultline.cluster.ClusterVerticle;
import io.faultline.cluster.ClusteredVertx;
import io.faultline.cluster.LocalNodeVerticle;
import io.faultline.history.HistoryVerticle;
import io.faultline.orchestration.Metrics;
import io.faultline.orchestration.OrchestratorVerticle;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.Set;
import io.faultline.gateway.metrics.ChaosMeterBinder;
import io.faultline.gateway.metrics.ControlPlaneMeters;
import io.faultline.gateway.metrics.MetricsServerVerticle;
import io.faultline.gateway.metrics.TrafficSummary;
import io.faultline.gateway.metrics.TrafficSummaryVerticle;
import io.faultline.gateway.metrics.HistoryMeters;
import io.faultline.chaos.state.FileScenarioStore;
import io.faultline.chaos.state.ScenarioStore;
import io.faultline.gateway.config.GatewayConfig;
import io.faultline.gateway.listeners.ListenerRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.spi.VertxTracerFactory;
import io.faultline.gateway.tracing.Tracing;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * A running gateway node: the chaos control verticle, one protocol verticle per listener (one
 * instance per event loop), the admin API and the config reloader, all on one Vert.x instance.
 */
public final class Gateway {

  private static final Logger LOG = Logger.getLogger(Gateway.class.getName());
  /** How long a close waits for the orchestrator to end its runs: their wind-down (10 s at most), then their reports. */
  private static final long ORCHESTRATOR_STOP_SECONDS = 12;

  private final Vertx vertx;
  private final ChaosState state;
  private final ListenerRegistry listeners;
  private final AdminVerticle admin;
  private final Tracing tracing;
  private final int toxiproxyPort;
  private final String orchestrator;
  /** This node's hold on its state directory, let go of once it has closed. */
  private StateDirLock stateLock;

  private Gateway(Vertx vertx, ChaosState state, ListenerRegistry listeners, AdminVerticle admin, Tracing tracing, int toxiproxyPort,
      String orchestrator) {
    this.orchestrator = orchestrator;
    this.vertx = vertx;
    this.state = state;
    this.listeners = listeners;
    this.admin = admin;
    this.tracing = tracing;
    this.toxiproxyPort = toxiproxyPort;
  }

  /** The port of the Toxiproxy-compatible API, or -1 when it is off. */
  public int toxiproxyPort() {
    return toxiproxyPort;
  }

  /**
   * Starts a node. {@code file} and {@code reload} (both may be null) let {@code /api/config/reload}
   * and file changes re-read the config.
   */
  public static Future<Gateway> start(GatewayConfig config, Path file, Supplier<GatewayConfig> reload) {
    ScenarioStore store = config.stateDir() == null ? ScenarioStore.MEMORY : new FileScenarioStore(Path.of(config.stateDir()));
    ChaosState state = new ChaosState(config.effectiveChaos());
    ChaosMeterBinder meters = new ChaosMeterBinder(state);
    StateDirLock stateLock;
    try {
      usableStateDir(config.stateDir());
      stateLock = StateDirLock.acquire(config.stateDir());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    try {
      List<io.faultline.chaos.config.Scenario> saved = store.load();
      try {
        state.restoreScenarios(saved);
      } catch (io.faultline.chaos.config.ChaosConfigException e) {
        // a saved scenario the state refuses (one named like a built-in a later version added): say where it is
        throw new io.faultline.chaos.config.ChaosConfigException("state_dir", "a saved scenario in "
            + Path.of(config.stateDir(), "scenarios.json") + " cannot be restored: " + e.field() + ": " + e.getMessage()
            + " (rename or remove it there)");
      }
    } catch (RuntimeException e) {
      stateLock.release();
      return Future.failedFuture(e);
    }
    VertxOptions options = new VertxOptions().setPreferNativeTransport(true);
    ClusterConfig cluster = config.cluster();
    VertxMetricsFactory metrics = null;
    if (config.metrics().vertx()) {
      options.setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true));
      metrics = new MicrometerMetricsFactory(meters.registry());
    }
    // Spans go out only when tracing is on: with no tracer, Vert.x and the exchange runners trace nothing and pay nothing.
    Tracing tracing = config.tracing().enabled() ? Tracing.start(config.tracing()) : null;
    if (tracing == null && config.tracing().setsMoreThanItsDefaults()) {
      LOG.warning("tracing is off: its service_name and sample_rate take effect only with tracing on (--tracing, tracing.enabled,"
          + " or an endpoint)");
    }
    VertxTracerFactory tracer = tracing == null ? null : tracing.factory();
    Future<ClusteredVertx.Member> node;
    if (cluster.enabled()) {
      node = ClusteredVertx.start(cluster, options, metrics, tracer);
    } else {
      VertxBuilder builder = Vertx.builder().with(options);
      if (metrics != null) {
        builder.withMetrics(metrics);
      }
      if (tracer != null) {
        builder.withTracer(tracer);
      }
      node = Future.succeededFuture(new ClusteredVertx.Member(builder.build(), null));
    }
    return node.compose(member -> deploy(member, config, file, reload, state, store, meters, tracing))
        .map(gateway -> {
          gateway.stateLock = stateLock;
          return gateway;
        })
        .recover(error -> {
          stateLock.release();
          return tracing == null ? Future.failedFuture(error) : tracing.shutdown().transform(v -> Future.failedFuture(error));
        });
  }

  /**
   * The state directory exists (made if need be) and is a directory this process can write: checked before
   * anything is kept there, so a file in its place or a read-only mount is named at start, not met later as a
   * failed save.
   */
  private static void usableStateDir(String stateDir) {
    if (stateDir == null) {
      return;
    }
    Path dir = Path.of(stateDir);
    try {
      java.nio.file.Files.createDirectories(dir);
    } catch (java.nio.file.FileAlreadyExistsException e) {
      throw new ChaosConfigException("state_dir", stateDir + " is a file, not a directory");
    } catch (java.io.IOException e) {
      throw new ChaosConfigException("state_dir", "cannot create " + stateDir + ": " + e);
    }
    if (!java.nio.file.Files.isWritable(dir)) {
      throw new ChaosConfigException("state_dir", stateDir + " is not writable by this process");
    }
  }

  private static Future<Gateway> deploy(ClusteredVertx.Member member, GatewayConfig config, Path file,
      Supplier<GatewayConfig> reload, ChaosState state, ScenarioStore store, ChaosMeterBinder binder, Tracing tracing) {
    Vertx vertx = member.vertx();
    // Every listener's certificate, key and client CAs checked before anything listens: one that cannot
    // serve stops the node at start naming it, rather than after the admin API and other listeners are up.
    for (int i = 0; i < config.listeners().size(); i++) {
      if (config.listeners().get(i).tls() != null) {
        try {
          ServerTls.verify(vertx, config.listeners().get(i).tls());
        } catch (ChaosConfigException e) {
          return Future.failedFuture(e.under("listeners[" + i + "]"));
        }
      }
    }
    // What real traffic saw, for orchestration steps: served on the event bus as windows of recent requests.
    TrafficRecorder recorder = new TrafficRecorder(System::currentTimeMillis);
    vertx.setPeriodic(1_000, id -> recorder.tick()); // its running totals, for windows longer than its rings reach
    // History, the flight recorder and analytics (off the request path: the listener only fills bounded queues).
    HistoryVerticle history = !config.history().enabled() ? null : new HistoryVerticle(new HistoryVerticle.Options(config.history(),
        config.recorder(), config.analytics(), config.stateDir() == null ? null : Path.of(config.stateDir()), () -> state.snapshot().node().id()));
    List<ChaosListener> listeners = new java.util.ArrayList<>(config.metrics().requests() ? List.of(binder, recorder) : List.of(recorder));
    if (history != null) {
      listeners.add(history.listener());
      new HistoryMeters(binder.registry(), history).bind();
    }
    ChaosListener meters = listeners.size() == 1 ? recorder : new ChaosListeners(listeners);
    new ControlPlaneMeters(binder.registry(), state, recorder).bind(vertx);
    // A window reads up to 65,536 requests (about a millisecond): on a worker, not on an event loop that may carry traffic.
    vertx.eventBus().<JsonObject>localConsumer(Metrics.WINDOW_ADDRESS, message -> vertx.executeBlocking(
            () -> recorder.window(message.body().getLong("from", 0L), message.body().getLong("to", Long.MAX_VALUE),
                message.body().getLong("started_after", Long.MIN_VALUE)), false)
        .onSuccess(message::reply)
        .onFailure(error -> message.fail(500, String.valueOf(error))));
    AdminVerticle admin = new AdminVerticle(config.admin(), binder::scrape);
    List<String> capabilities = config.listeners().stream().map(ListenerConfig::protocol).distinct().toList();
    String adminHost = io.faultline.chaos.config.Hosts.announced(config.admin().host());
    Supplier<String> address = () -> adminHost + ":" + admin.actualPort();
    ClusterConfig cluster = config.cluster();
    String localId = cluster.nodeId() != null ? cluster.nodeId() : "local";
    if (member.manager() == null) {
      state.moveTo(NodeContext.standalone(localId, cluster.region(), cluster.zone()));
    }
    VerticleBase nodeVerticle = member.manager() != null
        ? new ClusterVerticle(cluster, member.manager(), state, address, capabilities)
        : new LocalNodeVerticle(localId, cluster.region(), cluster.zone(), address, capabilities);
    // The admin API first, so the node registers with its real address; then the node joins (and adopts the
    // cluster's chaos state) before any listener takes traffic.
    Future<?> chain = vertx.deployVerticle(new ChaosControlVerticle(state, store))
        .compose(v -> vertx.deployVerticle(admin))
        .compose(v -> vertx.deployVerticle(nodeVerticle))
        .compose(v -> history == null ? Future.succeededFuture() : vertx.deployVerticle(history));
    // The listeners, configured ones first; more come and go while the node runs (faultline.listeners.*).
    ToxiproxyVerticle toxiproxy = config.toxiproxy().enabled() ? new ToxiproxyVerticle(config.toxiproxy(), config.admin().token()) : null;
    ListenerRegistry traffic = new ListenerRegistry(config.listeners(), state, meters, () -> {
      List<GatewayConfig.NodePort> taken = new java.util.ArrayList<>(
          GatewayConfig.nodePorts(config.admin(), config.metrics(), config.toxiproxy(), config.bridge()));
      taken.add(new GatewayConfig.NodePort(config.admin().host(), admin.actualPort(), "the admin API", "admin.port"));
      if (toxiproxy != null && toxiproxy.actualPort() > 0) {
        taken.add(new GatewayConfig.NodePort(config.toxiproxy().host(), toxiproxy.actualPort(), "the Toxiproxy API", "toxiproxy.port"));
      }
      return taken;
    });
    chain = chain.compose(v -> vertx.deployVerticle(traffic));
    String[] orchestrator = new String[1];
    chain = chain.compose(v -> vertx.deployVerticle(new OrchestratorVerticle(config.orchestration().allowCommands(),
        Set.copyOf(config.orchestration().httpAllowList()), config.stateDir() == null ? null : Path.of(config.stateDir()),
        member.manager() != null)).onSuccess(id -> orchestrator[0] = id));
    if (config.metrics().listen()) {
      chain = chain.compose(v -> vertx.deployVerticle(new MetricsServerVerticle(config.metrics().host(), config.metrics().port(),
          config.admin().token(), binder::scrape)));
    }
    // The console's live charts: a summary of each listener's traffic, once a second, read off the meters.
    chain = chain.compose(v -> vertx.deployVerticle(new TrafficSummaryVerticle(new TrafficSummary(binder.registry(),
        () -> traffic.running().stream().map(l -> TrafficSummary.Listener.of(l.config(), l.port())).toList(),
        config.metrics().requests(), System.currentTimeMillis()), System::currentTimeMillis)));
    if (toxiproxy != null) {
      chain = chain.compose(v -> vertx.deployVerticle(toxiproxy));
    }
    if (config.bridge().enabled()) {
      chain = chain.compose(v -> vertx.deployVerticle(new TcpBridgeVerticle(config.bridge().host(), config.bridge().port(), config.admin().token())));
    }
    return chain
        .compose(v -> vertx.deployVerticle(new ConfigReloader(file, reload == null ? () -> config : reload, config)))
        .map(v -> {
          Map<String, Integer> ports = new LinkedHashMap<>();
          traffic.running().forEach(l -> ports.put(l.config().name(), l.port()));
          admin.ready();
          LOG.info(() -> "Faultline ready (" + (vertx.isNativeTransportEnabled() ? "epoll" : "nio") + "): node "
              + state.snapshot().node().id() + (vertx.isClustered() ? " in cluster " + cluster.name() : "")
              + ", chaos " + (state.snapshot().config().enabled() ? "ON" : "off")
              + ", seed " + state.snapshot().seed() + ", admin port " + admin.actualPort() + ", listeners " + ports);
          return new Gateway(vertx, state, traffic, admin, tracing, toxiproxy == null ? -1 : toxiproxy.actualPort(), orchestrator[0]);
        })
        .recover(error -> {
          // Not chained on close(): listeners of a closing Vert.x may never run.
          vertx.close();
          return Future.failedFuture(error);
        });
  }

  public Vertx vertx() {
    return vertx;
  }

  public ChaosState state() {
    return state;
  }

  public int adminPort() {
    return admin.actualPort();
  }

  /** The port the listener called {@code name} bound (one added while the node runs too). */
  public int listenerPort(String name) {
    return listeners.running().stream().filter(l -> l.config().name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no listener named " + name)).port();
  }

  /** The node's id (its cluster node id, or the configured or default standalone id). */
  public String nodeId() {
    return state.snapshot().node().id();
  }

  /**
   * Stops taking traffic gracefully, as {@code faultline serve} does on SIGTERM (for {@code shutdown_grace_ms})
   * before it closes the node:
   * {@code /health} answers 503 {@code DRAINING}, every listener's port refuses new connections, and the
   * open ones end once what they carry is answered (see {@link io.faultline.chaos.listener.Drainable}), or
   * at {@code graceMs} at the latest. The admin API, the cluster and chaos keep running until {@link #close}.
   */
  public Future<Void> drain(long graceMs) {
    admin.draining();
    return listeners.drain(graceMs);
  }

  /**
   * Closes the node, then exports the spans its last exchanges left (when tracing). The orchestrator goes
   * first, on its own: a run it ends is stopped (its chaos undone) and its report written, kept and handed
   * to the history before the rest closes (all at once, the history could close before the report came).
   */
  public Future<Void> close() {
    // the experiment and the run share one bound: an A/B test's stop stops its sample run, which the orchestrator's then waits for
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(ORCHESTRATOR_STOP_SECONDS);
    if (!io.vertx.core.Context.isOnVertxThread()) {
      stopExperiment(deadline);
    }
    if (orchestrator != null && !io.vertx.core.Context.isOnVertxThread()) {
      // waited for here, not chained: listeners of a closing Vert.x may never run
      try {
        vertx.undeploy(orchestrator).await(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        LOG.warning(() -> "the orchestrator did not stop cleanly (" + e + "); closing anyway");
      }
    }
    Future<Void> closed = tracing == null ? vertx.close() : vertx.close().eventually(tracing::shutdown);
    return closed.andThen(done -> {
      if (stateLock != null) {
        stateLock.release();
      }
    });
  }

  /**
   * Stops the A/B test or breaking-point search running on this node, and waits for its end: it puts back the chaos
   * config it found and keeps its row. Closed under it, a search left its step's config on every node of the cluster
   * (and in the state the node starts from), and its row "running" until the node came back.
   */
  private void stopExperiment(long deadline) {
    long boundMs = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
    try {
      vertx.eventBus().request(io.faultline.history.HistoryAddresses.EXPERIMENT_STOP, new io.vertx.core.json.JsonObject(),
          new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(boundMs))
          .await(boundMs, java.util.concurrent.TimeUnit.MILLISECONDS);
      LOG.info("the experiment running on this node was stopped, its chaos config put back");
    } catch (Exception e) {
      boolean none = e instanceof io.vertx.core.eventbus.ReplyException reply
          && (reply.failureType() == io.vertx.core.eventbus.ReplyFailure.NO_HANDLERS || reply.failureCode() == 404);
      if (!none) {
        LOG.warning(() -> "the experiment running on this node did not stop cleanly (" + e + "); closing anyway");
      }
    }
  }
}
