package io.faultline.chaos.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One traffic listener: a protocol verticle on {@code host:port} forwarding to {@code upstream} (or to
 * its {@code routes}), with an optional {@code chaos} override that applies to its traffic only.
 * What depends on the protocol (its default port when {@code port} is left out, whether it needs an
 * upstream, which upstream schemes it takes) is checked by the protocol's module when the gateway config
 * is built ({@code io.faultline.chaos.listener.ProtocolModule}), not here.
 * {@code https://} and {@code grpcs://} upstreams are reached over TLS, verified against the JVM's trust
 * store unless {@code tls_trust_all} is set (self-signed staging certificates). With {@code tls} the
 * listener itself terminates TLS for its clients ({@link TlsConfig}). A client must send a request's
 * headers within {@code header_timeout_ms} (10 s; 0: no limit) of opening the connection or of the
 * previous answer, and a connection idle for {@code idle_timeout_ms} is closed (the protocol's default:
 * 2 min, none for WebSockets, which idle by nature). A peer that takes nothing sent to it (its connection's send buffer
 * stays full) for {@code send_timeout_ms} (60 s, nginx's {@code send_timeout}; 0: no limit) has its connection closed; a
 * WebSocket's other side is sent a going-away close.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ListenerConfig(
    String name,
    String protocol,
    String host,
    Integer port,
    String upstream,
    List<RouteConfig> routes,
    Long timeoutMs,
    Long connectTimeoutMs,
    Integer instances,
    ChaosOverride chaos,
    Boolean tlsTrustAll,
    TlsConfig tls,
    Long headerTimeoutMs,
    Long idleTimeoutMs,
    Long sendTimeoutMs) {

  public ListenerConfig {
    // ':' for Toxiproxy's clients: Testcontainers' ToxiproxyContainer.getProxy(host, port) names a proxy "host:port"; 119
    // for the listener's own rule, "listener:NAME", within a rule name's 128
    if (name == null || !name.matches("[A-Za-z0-9_-][A-Za-z0-9_.:-]{0,118}")) {
      throw new ChaosConfigException("name", "must be 1-119 letters, digits, '_', '-', '.' or ':' (not starting with '.' or ':'), got "
          + (name != null && name.length() > 80 ? name.substring(0, 80) + "..." : name));
    }
    protocol = protocol == null ? "http" : protocol.toLowerCase(Locale.ROOT);
    if (!protocol.matches("[a-z][a-z0-9_-]{0,31}")) {
      throw new ChaosConfigException("protocol", "must be a protocol name such as http or grpc, got " + protocol);
    }
    host = host == null ? "127.0.0.1" : host.strip();
    if (host.isEmpty()) {
      throw new ChaosConfigException("host", "must be an address or a host name to listen on, got an empty string");
    }
    if (port != null && (port < 0 || port > 65535)) {
      throw new ChaosConfigException("port", "must be between 0 and 65535, got " + port);
    }
    if (upstream != null) {
      Upstream.parse(upstream, "upstream");
    }
    routes = Check.elements(routes, "routes");
    Set<String> names = new HashSet<>();
    for (int i = 0; i < routes.size(); i++) {
      Upstream.parse(routes.get(i).upstream(), "routes[" + i + "].upstream");
      if (routes.get(i).name().equals(RouteConfig.DEFAULT_NAME)) {
        throw new ChaosConfigException("routes[" + i + "].name", "\"" + RouteConfig.DEFAULT_NAME
            + "\" names the listener's own upstream (traffic no route takes) in metrics, records, traces and rules; choose another name");
      }
      if (routes.get(i).name().equals(RouteConfig.UNROUTED_NAME)) {
        throw new ChaosConfigException("routes[" + i + "].name", "\"" + RouteConfig.UNROUTED_NAME
            + "\" names the requests no route matched (404s, gRPC's UNIMPLEMENTED) in metrics; choose another name");
      }
      if (!names.add(routes.get(i).name())) {
        throw new ChaosConfigException("routes[" + i + "].name", "duplicate route name " + routes.get(i).name());
      }
    }
    timeoutMs = Check.positive(timeoutMs, "timeout_ms", 30_000L, Check.DAY_MS);
    connectTimeoutMs = Check.positive(connectTimeoutMs, "connect_timeout_ms", 5_000L, Check.DAY_MS);
    instances = Check.positive(instances, "instances", Runtime.getRuntime().availableProcessors(), 1024);
    tlsTrustAll = Check.flag(tlsTrustAll, false);
    headerTimeoutMs = Check.nonNegative(headerTimeoutMs, "header_timeout_ms", DEFAULT_HEADER_TIMEOUT_MS, Check.DAY_MS);
    if (idleTimeoutMs != null) {
      Check.nonNegative(idleTimeoutMs, "idle_timeout_ms", 0L, Check.DAY_MS);
    }
    if (sendTimeoutMs != null) {
      Check.nonNegative(sendTimeoutMs, "send_timeout_ms", 0L, Check.DAY_MS);
    }
  }

  /** How long a client may take to send a request's headers (slowloris), by default. */
  public static final long DEFAULT_HEADER_TIMEOUT_MS = 10_000;
  /** How long a peer that reads nothing of what is relayed to it holds its connection, by default (nginx's send_timeout). */
  public static final long DEFAULT_SEND_TIMEOUT_MS = 60_000;

  /** A listener without TLS termination. */
  public ListenerConfig(String name, String protocol, String host, Integer port, String upstream, List<RouteConfig> routes,
      Long timeoutMs, Long connectTimeoutMs, Integer instances, ChaosOverride chaos, Boolean tlsTrustAll) {
    this(name, protocol, host, port, upstream, routes, timeoutMs, connectTimeoutMs, instances, chaos, tlsTrustAll, null, null, null, null);
  }

  /** The connection idle timeout in force: the configured one, else none (the launcher fills in the protocol's default). */
  public long idleTimeout() {
    return idleTimeoutMs == null ? 0 : idleTimeoutMs;
  }

  public ListenerConfig withIdleTimeout(long ms) {
    return new ListenerConfig(name, protocol, host, port, upstream, routes, timeoutMs, connectTimeoutMs, instances, chaos, tlsTrustAll, tls,
        headerTimeoutMs, ms, sendTimeoutMs);
  }

  /** How long a peer may take nothing sent to it (0: for ever), by default 60 s. */
  public long sendTimeout() {
    return sendTimeoutMs == null ? DEFAULT_SEND_TIMEOUT_MS : sendTimeoutMs;
  }

  public ListenerConfig withSendTimeout(long ms) {
    return new ListenerConfig(name, protocol, host, port, upstream, routes, timeoutMs, connectTimeoutMs, instances, chaos, tlsTrustAll, tls,
        headerTimeoutMs, idleTimeoutMs, ms);
  }

  /** How a started listener reports itself: {@code listener web (http) on 127.0.0.1:3000 -> http://... (+2 routes)}. */
  public String describe(int actualPort) {
    String routeCount = routes.isEmpty() ? "" : " (+" + routes.size() + " routes)";
    return "listener " + name + " (" + protocol + (tls == null ? "" : ", TLS") + ") on " + host + ":" + actualPort + " -> "
        + (upstream == null ? "no default upstream" : upstream) + routeCount;
  }

  public ListenerConfig withUpstream(String url) {
    return new ListenerConfig(name, protocol, host, port, url, routes, timeoutMs, connectTimeoutMs, instances, chaos, tlsTrustAll, tls, headerTimeoutMs, idleTimeoutMs, sendTimeoutMs);
  }

  public ListenerConfig withChaos(ChaosOverride newChaos) {
    return new ListenerConfig(name, protocol, host, port, upstream, routes, timeoutMs, connectTimeoutMs, instances, newChaos, tlsTrustAll, tls, headerTimeoutMs, idleTimeoutMs, sendTimeoutMs);
  }

  public ListenerConfig withPort(int newPort) {
    return new ListenerConfig(name, protocol, host, newPort, upstream, routes, timeoutMs, connectTimeoutMs, instances, chaos, tlsTrustAll, tls, headerTimeoutMs, idleTimeoutMs, sendTimeoutMs);
  }
}
