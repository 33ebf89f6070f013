package io.faultline.gateway;

import io.faultline.admin.AdminVerticle;
import io.faultline.admin.bridge.TcpBridgeVerticle;
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
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.faultline.gateway.metrics.ChaosMeterBinder;
import io.faultline.gateway.metrics.ControlPlaneMeters;
import io.faultline.gateway.metrics.HistoryMeters;
import io.faultline.chaos.state.FileScenarioStore;
import io.faultline.chaos.state.ScenarioStore;
import io.faultline.gateway.config.GatewayConfig;
import io.faultline.protocol.graphql.GraphQlProxyVerticle;
import io.faultline.protocol.grpc.GrpcProxyVerticle;
import io.faultline.chaos.listener.ConnectionGate;
import io.faultline.protocol.http.HttpProxyVerticle;
import io.faultline.protocol.http.MockUpstream;
import io.faultline.protocol.websocket.WebSocketProxyVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import java.util.logging.Logger;

/**
 * A running gateway node: the chaos control verticle, one protocol verticle per listener (one
 * instance per event loop), the admin API and the config reloader, all on one Vert.x instance.
 */
public final class Gateway {

  private static final Logger LOG = Logger.getLogger(Gateway.class.getName());

  private final Vertx vertx;
  private final ChaosState state;
  private final Map<String, Integer> listenerPorts;
  private final int adminPort;
  private final HazelcastClusterManager clusterManager;

  private Gateway(Vertx vertx, ChaosState state, Map<String, Integer> listenerPorts, int adminPort,
      HazelcastClusterManager clusterManager) {
    this.clusterManager = clusterManager;
    this.vertx = vertx;
    this.state = state;
    this.listenerPorts = listenerPorts;
    this.adminPort = adminPort;
  }

  /**
   * Starts a node. {@code file} and {@code reload} (both may be null) let {@code /api/config/reload}
   * and file changes re-read the config.
   */
  public static Future<Gateway> start(GatewayConfig config, Path file, Supplier<GatewayConfig> reload) {
    ScenarioStore store = config.stateDir() == null ? ScenarioStore.MEMORY : new FileScenarioStore(Path.of(config.stateDir()));
    ChaosState state = new ChaosState(config.effectiveChaos());
    ChaosMeterBinder meters = new ChaosMeterBinder(state);
    try {
      state.restoreScenarios(store.load());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    VertxOptions options = new VertxOptions().setPreferNativeTransport(true);
    ClusterConfig cluster = config.cluster();
    VertxMetricsFactory metrics = null;
    if (config.metrics().vertx()) {
      options.setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true));
      metrics = new MicrometerMetricsFactory(meters.registry());
    }
    Future<ClusteredVertx.Member> node = cluster.enabled() ? ClusteredVertx.start(cluster, options, metrics)
        : Future.succeededFuture(new ClusteredVertx.Member(
            (metrics == null ? Vertx.builder().with(options) : Vertx.builder().with(options).withMetrics(metrics)).build(), null));
    return node.compose(member -> deploy(member, config, file, reload, state, store, meters));
  }

  private static Future<Gateway> deploy(ClusteredVertx.Member member, GatewayConfig config, Path file,
      Supplier<GatewayConfig> reload, ChaosState state, ScenarioStore store, ChaosMeterBinder binder) {
    Vertx vertx = member.vertx();
    // What real traffic saw, for orchestration steps: served on the event bus as windows of recent requests.
    TrafficRecorder recorder = new TrafficRecorder(System::currentTimeMillis);
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
    vertx.eventBus().<JsonObject>localConsumer(Metrics.WINDOW_ADDRESS, message -> message.reply(
        recorder.window(message.body().getLong("from", 0L), message.body().getLong("to", Long.MAX_VALUE))));
    Map<String, Integer> ports = new LinkedHashMap<>();
    AdminVerticle admin = new AdminVerticle(config.admin(), binder::scrape);
    List<String> capabilities = config.listeners().stream().map(ListenerConfig::protocol).distinct().toList();
    Supplier<String> address = () -> config.admin().host() + ":" + admin.actualPort();
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
    for (int i = 0; i < config.listeners().size(); i++) {
      ListenerConfig listener = config.listeners().get(i);
      int index = i;
      chain = chain.compose(v -> switch (listener.protocol()) {
        case "grpc" -> deployGrpc(vertx, listener, index, state, meters);
        case "websocket" -> deployWebSocket(vertx, listener, index, state, meters);
        case "graphql" -> deployGraphQl(vertx, listener, index, state, meters);
        default -> deployHttp(vertx, listener, index, state, meters);
      }).onSuccess(port -> ports.put(listener.name(), port));
    }
    chain = chain.compose(v -> vertx.deployVerticle(new OrchestratorVerticle(config.orchestration().allowCommands(),
        Set.copyOf(config.orchestration().httpAllowList()), config.stateDir() == null ? null : Path.of(config.stateDir()),
        member.manager() != null)));
    if (config.bridge().enabled()) {
      chain = chain.compose(v -> vertx.deployVerticle(new TcpBridgeVerticle(config.bridge().host(), config.bridge().port())));
    }
    return chain
        .compose(v -> vertx.deployVerticle(new ConfigReloader(file, reload == null ? () -> config : reload, config)))
        .map(v -> {
          LOG.info(() -> "Faultline ready (" + (vertx.isNativeTransportEnabled() ? "epoll" : "nio") + "): node "
              + state.snapshot().node().id() + (vertx.isClustered() ? " in cluster " + cluster.name() : "")
              + ", chaos " + (state.snapshot().config().enabled() ? "ON" : "off")
              + ", seed " + state.snapshot().seed() + ", admin port " + admin.actualPort() + ", listeners " + ports);
          return new Gateway(vertx, state, ports, admin.actualPort(), member.manager());
        })
        .recover(error -> {
          // Not chained on close(): listeners of a closing Vert.x may never run.
          vertx.close();
          return Future.failedFuture(error);
        });
  }

  /**
   * Deploys one listener: a mock upstream first when it has neither upstream nor routes, then one
   * {@link HttpProxyVerticle} per event loop. Port 0 becomes a negative port, which Vert.x binds to
   * one random port shared by all the instances (a distinct negative per listener).
   */
  private static Future<Integer> deployHttp(Vertx vertx, ListenerConfig configured, int index, ChaosState state,
      ChaosListener events) {
    Future<ListenerConfig> ready = Future.succeededFuture(configured);
    if (configured.upstream() == null && configured.routes().isEmpty()) {
      MockUpstream mock = new MockUpstream();
      ready = vertx.deployVerticle(mock).map(id -> {
        LOG.info(() -> "listener " + configured.name() + " has no upstream: answering from the built-in mock upstream");
        return configured.withUpstream("http://127.0.0.1:" + mock.actualPort());
      });
    }
    ConnectionGate gate = new ConnectionGate();
    int bindPort = configured.port() == 0 ? -(index + 1) : configured.port();
    return ready.compose(listener -> perEventLoop(vertx, listener.instances(),
        () -> new HttpProxyVerticle(listener, state, gate, bindPort, events), HttpProxyVerticle::actualPort));
  }

  /** Deploys a gRPC listener, one {@link GrpcProxyVerticle} per event loop (port 0 handled as for http). */
  private static Future<Integer> deployGrpc(Vertx vertx, ListenerConfig listener, int index, ChaosState state,
      ChaosListener events) {
    int bindPort = listener.port() == 0 ? -(index + 1) : listener.port();
    return perEventLoop(vertx, listener.instances(), () -> new GrpcProxyVerticle(listener, state, bindPort, events),
        GrpcProxyVerticle::actualPort);
  }

  /** Deploys a WebSocket listener, one {@link WebSocketProxyVerticle} per event loop sharing one connection gate. */
  private static Future<Integer> deployWebSocket(Vertx vertx, ListenerConfig listener, int index, ChaosState state,
      ChaosListener events) {
    int bindPort = listener.port() == 0 ? -(index + 1) : listener.port();
    ConnectionGate gate = new ConnectionGate();
    return perEventLoop(vertx, listener.instances(), () -> new WebSocketProxyVerticle(listener, state, gate, bindPort, events),
        WebSocketProxyVerticle::actualPort);
  }

  /** Deploys a GraphQL listener, one {@link GraphQlProxyVerticle} per event loop sharing one connection gate. */
  private static Future<Integer> deployGraphQl(Vertx vertx, ListenerConfig listener, int index, ChaosState state,
      ChaosListener events) {
    int bindPort = listener.port() == 0 ? -(index + 1) : listener.port();
    ConnectionGate gate = new ConnectionGate();
    return perEventLoop(vertx, listener.instances(), () -> new GraphQlProxyVerticle(listener, state, gate, bindPort, events),
        GraphQlProxyVerticle::actualPort);
  }

  /** Deploys {@code instances} verticles in one deployment and answers the port the first one bound. */
  private static <V extends VerticleBase> Future<Integer> perEventLoop(Vertx vertx, int instances, Supplier<V> create,
      ToIntFunction<V> port) {
    List<V> created = new CopyOnWriteArrayList<>();
    return vertx.deployVerticle(() -> {
      V verticle = create.get();
      created.add(verticle);
      return verticle;
    }, new DeploymentOptions().setInstances(instances)).map(id -> port.applyAsInt(created.get(0)));
  }

  public Vertx vertx() {
    return vertx;
  }

  public ChaosState state() {
    return state;
  }

  public int adminPort() {
    return adminPort;
  }

  public int listenerPort(String name) {
    return listenerPorts.get(name);
  }

  /** The node's id (its cluster node id, or the configured or default standalone id). */
  public String nodeId() {
    return state.snapshot().node().id();
  }

  /**
   * True when every partition of the cluster's data has its backups (no migration in flight): Hazelcast
   * only then guarantees that losing a member loses nothing. Always true standalone.
   */
  public boolean clusterSafe() {
    return clusterManager == null || clusterManager.getHazelcastInstance().getPartitionService().isClusterSafe();
  }

  /**
   * Stops the node as a crash would: its Hazelcast member vanishes without leaving, so the others see a
   * failure (not a departure), then Vert.x closes. A standalone node just closes.
   */
  public Future<Void> kill() {
    if (clusterManager != null) {
      clusterManager.getHazelcastInstance().getLifecycleService().terminate();
    }
    return vertx.close().otherwiseEmpty();
  }

  public Future<Void> close() {
    return vertx.close();
  }
}
