package io.faultline.protocol.websocket;

import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.config.Upstream;
import io.faultline.chaos.listener.ConnectionGate;
import io.faultline.chaos.listener.ListenerDeployment;
import io.faultline.chaos.listener.ProtocolModule;
import io.vertx.core.Future;

/** The {@code websocket} protocol, port 3002 by default; upstreams are {@code ws://} or {@code wss://} URLs. */
public final class WebSocketProtocolModule implements ProtocolModule {

  @Override
  public String name() {
    return "websocket";
  }

  @Override
  public int defaultPort() {
    return 3002;
  }

  /** WebSockets idle by nature (a quiet feed is still a feed): no idle timeout unless the listener sets one. */
  @Override
  public long defaultIdleTimeoutMs() {
    return 0;
  }

  @Override
  public String defaultListenerName() {
    return "live";
  }

  @Override
  public void checkUpstream(Upstream upstream, String field) {
    if (!upstream.scheme().startsWith("ws")) {
      throw new ChaosConfigException(field, "must be a ws:// or wss:// URL for a websocket listener, got " + upstream);
    }
  }

  @Override
  public Future<Integer> deploy(ListenerDeployment d) {
    ConnectionGate gate = new ConnectionGate(d.listener());
    return d.perEventLoop(() -> new WebSocketProxyVerticle(d.listener(), d.state(), gate, d.bindPort(), d.events()),
        WebSocketProxyVerticle::actualPort);
  }
}
