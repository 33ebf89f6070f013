package io.faultline.gateway.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.faultline.admin.AdminConfig;
import io.faultline.admin.toxiproxy.ToxiproxyConfig;
import io.faultline.chaos.config.ChaosConfig;
import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.cluster.ClusterConfig;
import io.faultline.history.AnalyticsConfig;
import io.faultline.history.HistoryConfig;
import io.faultline.history.RecorderConfig;
import io.faultline.chaos.config.ChaosRule;
import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.listener.ProtocolModule;
import io.faultline.gateway.Protocols;
import io.faultline.gateway.tracing.TracingConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The whole gateway config file: {@code admin}, {@code listeners}, {@code chaos}, {@code cluster} and
 * {@code bridge}, as ARCHITECTURE.md lists them, and {@code history}, {@code recorder}, {@code analytics},
 * {@code tracing}, {@code toxiproxy}.
 * With no listener, one {@code http} listener named {@code web} on port 3000 is assumed. A null
 * {@code state_dir} keeps state in memory (history in a temporary file); {@code faultline serve} gives
 * it a default on disk ({@link #defaultStateDir}). {@code shutdown_grace_ms}: how long a node told to stop
 * (SIGTERM) lets its open connections finish before it closes them (5 s; 0: at once).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GatewayConfig(
    AdminConfig admin,
    List<ListenerConfig> listeners,
    ChaosConfig chaos,
    ClusterConfig cluster,
    BridgeConfig bridge,
    OrchestrationConfig orchestration,
    MetricsConfig metrics,
    String stateDir,
    HistoryConfig history,
    RecorderConfig recorder,
    AnalyticsConfig analytics,
    TracingConfig tracing,
    ToxiproxyConfig toxiproxy,
    Long shutdownGraceMs) {

  public static final String DEFAULT_LISTENER = "web";
  /**
   * How long a stopping node lets its open connections finish by default: half of {@code docker stop}'s 10 s
   * before SIGKILL (Kubernetes gives 30 s), so the node's own close (the history's last rows) still runs.
   */
  public static final long DEFAULT_SHUTDOWN_GRACE_MS = 5_000;
  private static final long MAX_SHUTDOWN_GRACE_MS = 3_600_000;

  public GatewayConfig {
    admin = admin == null ? AdminConfig.defaults() : admin;
    listeners = resolve(listeners == null || listeners.isEmpty() ? List.of(defaultListener()) : listeners);
    chaos = chaos == null ? ChaosConfig.off() : chaos;
    takenByListenerChaos(listeners, chaos);
    cluster = cluster == null ? ClusterConfig.off() : cluster;
    bridge = bridge == null ? BridgeConfig.off() : bridge;
    orchestration = orchestration == null ? new OrchestrationConfig(null, null) : orchestration;
    metrics = metrics == null ? MetricsConfig.defaults() : metrics;
    history = history == null ? HistoryConfig.defaults() : history;
    recorder = recorder == null ? RecorderConfig.defaults() : recorder;
    analytics = analytics == null ? AnalyticsConfig.defaults() : analytics;
    tracing = tracing == null ? TracingConfig.off() : tracing;
    toxiproxy = toxiproxy == null ? ToxiproxyConfig.off() : toxiproxy;
    if (stateDir != null && stateDir.isBlank()) {
      // an empty path is the working directory: the history database would land wherever the node was started
      throw new ChaosConfigException("state_dir", "must be a directory path; leave it out for the default ($XDG_STATE_HOME/faultline)");
    }
    shutdownGraceMs = shutdownGraceMs == null ? DEFAULT_SHUTDOWN_GRACE_MS : shutdownGraceMs;
    if (shutdownGraceMs < 0 || shutdownGraceMs > MAX_SHUTDOWN_GRACE_MS) {
      throw new ChaosConfigException("shutdown_grace_ms", "must be between 0 and " + MAX_SHUTDOWN_GRACE_MS + " (1 h), got " + shutdownGraceMs);
    }
    checkPorts(listeners, nodePorts(admin, metrics, toxiproxy, bridge));
  }

  /** A port the node's own servers take (admin API, metrics, Toxiproxy API, bridge), and what takes it. */
  public record NodePort(String host, int port, String owner, String field) {
  }

  /** The ports the node's own servers are configured on (0, a port the system picks, is none). */
  public static List<NodePort> nodePorts(AdminConfig admin, MetricsConfig metrics, ToxiproxyConfig toxiproxy, BridgeConfig bridge) {
    List<NodePort> ports = new ArrayList<>();
    ports.add(new NodePort(admin.host(), admin.port(), "the admin API", "admin.port"));
    if (metrics.listen()) {
      ports.add(new NodePort(metrics.host(), metrics.port(), "the metrics server", "metrics.port"));
    }
    if (toxiproxy.enabled()) {
      ports.add(new NodePort(toxiproxy.host(), toxiproxy.port(), "the Toxiproxy API", "toxiproxy.port"));
    }
    if (bridge.enabled()) {
      ports.add(new NodePort(bridge.host(), bridge.port(), "the event-bus bridge", "bridge.port"));
    }
    ports.removeIf(p -> p.port() == 0);
    return ports;
  }

  /**
   * The server already bound to {@code host:port} among {@code taken}, or null. Two servers of one Vert.x on
   * the same address do not fail to bind: they share the port, handing its connections to each in turn
   * (a listener on the admin port would answer half of the console's requests), so the gateway refuses it.
   */
  public static NodePort clash(String host, int port, List<NodePort> taken) {
    for (NodePort other : taken) {
      if (port != 0 && other.port() == port && (host.equals(other.host()) || wildcard(host) || wildcard(other.host()))) {
        return other;
      }
    }
    return null;
  }

  private static boolean wildcard(String host) {
    return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
  }

  /**
   * The node's servers, then its listeners, on ports of their own: none shares one with another (the metrics server
   * on the admin port took every other console request, answering 404).
   */
  private static void checkPorts(List<ListenerConfig> listeners, List<NodePort> nodePorts) {
    List<NodePort> taken = new ArrayList<>();
    for (NodePort server : nodePorts) {
      NodePort other = clash(server.host(), server.port(), taken);
      if (other != null) {
        throw new ChaosConfigException(server.field(), "port " + server.port() + " is already " + other.owner() + "'s (" + other.field() + ")");
      }
      taken.add(server);
    }
    for (int i = 0; i < listeners.size(); i++) {
      ListenerConfig listener = listeners.get(i);
      NodePort other = clash(listener.host(), listener.port(), taken);
      if (other != null) {
        throw new ChaosConfigException("listeners[" + i + "].port", "port " + listener.port() + " is already " + other.owner() + "'s ("
            + other.field() + ")");
      }
      taken.add(new NodePort(listener.host(), listener.port(), "listener " + listener.name(), "listeners[" + i + "].port"));
    }
  }

  /** The same config with {@code state_dir} set. */
  public GatewayConfig withStateDir(String dir) {
    return new GatewayConfig(admin, listeners, chaos, cluster, bridge, orchestration, metrics, dir, history, recorder, analytics,
        tracing, toxiproxy, shutdownGraceMs);
  }

  /**
   * Where {@code faultline serve} keeps state when none is configured: {@code $XDG_STATE_HOME/faultline},
   * else {@code ~/.local/state/faultline} (the XDG base directory for state); null when neither is known.
   */
  public static String defaultStateDir(java.util.Map<String, String> env) {
    String xdg = env.get("XDG_STATE_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return java.nio.file.Path.of(xdg, "faultline").toString();
    }
    String home = env.getOrDefault("HOME", System.getProperty("user.home"));
    return home == null || home.isBlank() ? null : java.nio.file.Path.of(home, ".local", "state", "faultline").toString();
  }

  /**
   * Each listener checked by its protocol's module, with that protocol's default port when it names none;
   * names must be unique.
   */
  private static List<ListenerConfig> resolve(List<ListenerConfig> listeners) {
    List<ListenerConfig> resolved = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < listeners.size(); i++) {
      ListenerConfig listener = listeners.get(i);
      String at = "listeners[" + i + "]";
      if (listener == null) {
        // "listeners:\n  - " in YAML: an item with nothing in it
        throw new ChaosConfigException(at, "is empty: a listener needs at least name, protocol and port");
      }
      if (!names.add(listener.name())) {
        throw new ChaosConfigException(at + ".name", "duplicate listener name " + listener.name());
      }
      ProtocolModule module = Protocols.named(listener.protocol(), at + ".protocol");
      try {
        module.check(listener);
      } catch (ChaosConfigException e) {
        throw e.under(at);
      }
      resolved.add(module.withDefaults(listener));
    }
    return List.copyOf(resolved);
  }

  public static ListenerConfig defaultListener() {
    return new ListenerConfig(DEFAULT_LISTENER, "http", null, null, null, null, null, null, null, null, null);
  }

  /** The chaos config the node runs: the global one plus one rule per listener that has its own {@code chaos}. */
  /** A listener's own {@code chaos} becomes the rule {@code listener:NAME}: a rule of the file by that name would clash with it. */
  private static void takenByListenerChaos(List<ListenerConfig> listeners, ChaosConfig chaos) {
    for (int i = 0; i < listeners.size(); i++) {
      if (listeners.get(i).chaos() == null) {
        continue;
      }
      String taken = listeners.get(i).chaos().toRule(listeners.get(i).name()).name();
      for (int r = 0; r < chaos.rules().size(); r++) {
        if (chaos.rules().get(r).name().equals(taken)) {
          throw new ChaosConfigException("chaos.rules[" + r + "].name", "is " + taken + ", the name of the rule listeners[" + i
              + "].chaos makes for that listener: give this rule another name");
        }
      }
    }
  }

  public ChaosConfig effectiveChaos() {
    return effectiveChaos(listeners);
  }

  /** {@link #effectiveChaos()} with the own chaos of {@code running}, the listeners that run, in place of this config's. */
  public ChaosConfig effectiveChaos(List<ListenerConfig> running) {
    List<ChaosRule> rules = new ArrayList<>(chaos.rules());
    for (ListenerConfig listener : running) {
      if (listener.chaos() != null) {
        rules.add(listener.chaos().toRule(listener.name()));
      }
    }
    return chaos.withRules(rules);
  }

  /**
   * The {@code metrics:} section. {@code requests} (default true): Faultline's per-request metrics
   * (requests, durations, faults, injected latency, rate-limit violations); false leaves only the
   * control-plane ones. {@code vertx: true} adds Vert.x's own metrics (HTTP server and client, pools,
   * event bus). Off by default: they cost every proxied request about 2-15% of throughput
   * (deploy/bench, case {@code metrics}), and a chaos gateway with chaos off must stay as cheap as a plain proxy.
   * {@code listen} (on when a {@code port} is given) serves {@code /metrics} on a port of its own,
   * {@code host:port} (127.0.0.1:9090 by default), besides the admin port's.
   */
  public record MetricsConfig(Boolean vertx, Boolean requests, Boolean listen, String host, Integer port) {

    public MetricsConfig {
      vertx = vertx != null && vertx;
      requests = requests == null || requests;
      listen = listen != null ? listen : port != null;
      host = host == null ? "127.0.0.1" : host;
      port = port == null ? 9090 : port;
      if (port < 0 || port > 65535) {
        throw new ChaosConfigException("port", "must be between 0 and 65535, got " + port);
      }
    }

    public static MetricsConfig defaults() {
      return new MetricsConfig(null, null, null, null, null);
    }
  }

  /**
   * The {@code orchestration:} section: what orchestration hooks may do. {@code command} hooks run only
   * with {@code allow_commands: true}; {@code http_request} hooks only reach hosts in {@code http_allow_list}.
   */
  public record OrchestrationConfig(Boolean allowCommands, List<String> httpAllowList) {

    public OrchestrationConfig {
      allowCommands = allowCommands != null && allowCommands;
      httpAllowList = httpAllowList == null ? List.of() : List.copyOf(httpAllowList);
    }
  }

  /**
   * The {@code bridge:} section: the TCP event-bus bridge for scripts, on {@code host:port}
   * (127.0.0.1:7000 by default), on when {@code enabled} or when a port is given.
   */
  public record BridgeConfig(Boolean enabled, String host, Integer port) {

    public BridgeConfig {
      enabled = enabled != null ? enabled : port != null;
      host = host == null ? "127.0.0.1" : host;
      port = port == null ? 7000 : port;
      if (port < 0 || port > 65535) {
        throw new ChaosConfigException("port", "must be between 0 and 65535, got " + port);
      }
    }

    public static BridgeConfig off() {
      return new BridgeConfig(false, null, null);
    }
  }
}
