package io.faultline.protocol.tcp;

import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.config.Upstream;
import io.faultline.chaos.listener.ListenerDeployment;
import io.faultline.chaos.listener.ProtocolModule;
import io.vertx.core.Future;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code tcp} protocol, port 3004 by default: bytes relayed to a {@code host:port} upstream, with
 * Toxiproxy's toxics. A tcp listener runs one verticle (one event loop): a relay costs little, and its
 * {@code down} switch closes and reopens one server.
 */
public final class TcpProtocolModule implements ProtocolModule {

  private final Map<ListenerDeployment, TcpProxyVerticle> running = new ConcurrentHashMap<>();

  @Override
  public String name() {
    return TcpFacts.PROTOCOL;
  }

  @Override
  public int defaultPort() {
    return 3004;
  }

  /** A TCP stream may idle by nature (a database connection in a pool): no idle timeout unless the listener sets one. */
  @Override
  public long defaultIdleTimeoutMs() {
    return 0;
  }

  /**
   * 10 minutes, nginx's {@code proxy_timeout} for its stream proxy (which has no send timeout of its own, and cuts a
   * connection after that long without a read or write either way, as a stalled one is): a database may stop
   * reading for a minute and still be working (a COPY waiting on a lock).
   */
  @Override
  public long defaultSendTimeoutMs() {
    return 10 * 60 * 1000;
  }

  @Override
  public String defaultListenerName() {
    return "tcp";
  }

  @Override
  public void check(ListenerConfig listener) {
    if (!listener.routes().isEmpty()) {
      throw new ChaosConfigException("routes", "a tcp listener has no routes: bytes carry no path to match");
    }
    if (listener.tls() != null) {
      throw new ChaosConfigException("tls", "a tcp listener relays bytes as they are and does not terminate TLS");
    }
    if (listener.upstream() == null) {
      throw new ChaosConfigException("upstream", "is required for a tcp listener (host:port)");
    }
    if (!listener.upstream().matches("[^/]+:\\d+")) {
      throw new ChaosConfigException("upstream", "must be host:port for a tcp listener, got " + listener.upstream());
    }
    checkUpstream(Upstream.parse(listener.upstream(), "upstream"), "upstream");
  }

  @Override
  public void checkUpstream(Upstream upstream, String field) {
    if (upstream.port() <= 0 || upstream.port() > 65535) {
      throw new ChaosConfigException(field, "must name a port (host:port) for a tcp listener, got " + upstream);
    }
  }

  @Override
  public Future<Integer> deploy(ListenerDeployment d) {
    // One instance: a negative port (Vert.x's "one random port shared by every server given it") would only
    // risk sharing a port with another listener; 0 gives this one a port of its own.
    int bindPort = Math.max(0, d.bindPort());
    TcpProxyVerticle verticle = new TcpProxyVerticle(d.listener(), d.state(), bindPort, d.events(), () -> running.remove(d));
    running.put(d, verticle);
    d.drainable(verticle);
    return d.vertx().deployVerticle(verticle).map(id -> verticle.actualPort()).onFailure(e -> running.remove(d));
  }

  @Override
  public Future<Void> settled(ListenerDeployment d) {
    TcpProxyVerticle verticle = running.get(d);
    return verticle == null ? Future.succeededFuture() : verticle.settled();
  }
}
