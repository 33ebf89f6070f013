package io.faultline.chaos.listener;

import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.config.Upstream;
import io.vertx.core.Future;

/**
 * One protocol Faultline can listen for: its name in {@code listeners[].protocol}, its default port, which
 * upstreams it accepts, and how it starts a listener. Each protocol module ({@code protocols/*}) provides
 * one; the launcher lists them in one place, as {@code FaultTypes.builtIn()} lists faults, and never
 * switches on a protocol's name.
 */
public interface ProtocolModule {

  /** The name listeners use ({@code http}, {@code grpc}, ...), lower case. */
  String name();

  /** The port a listener of this protocol takes when it names none. */
  int defaultPort();

  /** How long a connection of this protocol may stay idle before it is closed, unless the listener says (0: forever). */
  default long defaultIdleTimeoutMs() {
    return 120_000;
  }

  /**
   * How long a peer may take nothing sent to it before its connection is closed, unless the listener says (0: for
   * ever): nginx's {@code send_timeout}, 60 s.
   */
  default long defaultSendTimeoutMs() {
    return ListenerConfig.DEFAULT_SEND_TIMEOUT_MS;
  }

  /**
   * {@code listener} with this protocol's defaults where it names none: the port, the idle timeout and the send
   * timeout. Every way a listener comes (the config file, a flag, {@code POST /api/listeners}) goes through here.
   */
  default ListenerConfig withDefaults(ListenerConfig listener) {
    ListenerConfig withPort = listener.port() == null ? listener.withPort(defaultPort()) : listener;
    ListenerConfig withIdle = withPort.idleTimeoutMs() == null ? withPort.withIdleTimeout(defaultIdleTimeoutMs()) : withPort;
    return withIdle.sendTimeoutMs() == null ? withIdle.withSendTimeout(defaultSendTimeoutMs()) : withIdle;
  }

  /** The name given to the listener a {@code --PROTOCOL-port}/{@code --PROTOCOL-upstream} flag adds when the config has none. */
  String defaultListenerName();

  /**
   * Checks a listener of this protocol beyond what {@link ListenerConfig} checks itself: whether it needs
   * an upstream, and which schemes its upstreams may have. Every way a listener comes (the config file,
   * {@code POST /api/listeners}) goes through here. Throws a {@link ChaosConfigException} naming
   * the field relative to the listener ({@code upstream}, {@code routes[1].upstream}).
   */
  default void check(ListenerConfig listener) {
    if (listener.upstream() == null && listener.routes().isEmpty()) {
      throw new ChaosConfigException("upstream", "is required for a " + name() + " listener");
    }
    if (listener.upstream() != null) {
      checkUpstream(Upstream.parse(listener.upstream(), "upstream"), "upstream");
    }
    for (int i = 0; i < listener.routes().size(); i++) {
      String field = "routes[" + i + "].upstream";
      checkUpstream(Upstream.parse(listener.routes().get(i).upstream(), field), field);
    }
  }

  /** Checks one upstream of a listener of this protocol; {@code field} names it in the error. */
  void checkUpstream(Upstream upstream, String field);

  /** Starts the listener (all its instances) and answers the port it bound. */
  Future<Integer> deploy(ListenerDeployment deployment);

  /**
   * Completes once the listener this module {@link #deploy deployed} has acted on the chaos state installed
   * so far, where acting takes longer than reading the next snapshot (a tcp listener that goes down closes
   * its port). Most protocols have nothing to settle.
   */
  default Future<Void> settled(ListenerDeployment deployment) {
    return Future.succeededFuture();
  }

  /** The upstream check of protocols that speak HTTP to their upstreams (http, https, grpc, grpcs, host:port). */
  static void requireNotWebSocket(String protocol, Upstream upstream, String field) {
    if (upstream.scheme().startsWith("ws")) {
      throw new ChaosConfigException(field,
          "must not be a ws:// or wss:// URL for a " + protocol + " listener (use a websocket listener), got " + upstream);
    }
  }
}
