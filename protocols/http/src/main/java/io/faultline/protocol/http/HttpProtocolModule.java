package io.faultline.protocol.http;

import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.config.Upstream;
import io.faultline.chaos.listener.ConnectionGate;
import io.faultline.chaos.listener.ListenerDeployment;
import io.faultline.chaos.listener.ProtocolModule;
import io.vertx.core.Future;
import java.util.logging.Logger;

/**
 * The {@code http} protocol (HTTP/1.1 and h2c), port 3000 by default. A listener with neither upstream
 * nor routes answers from a {@link MockUpstream} started with it, so a gateway works on its own.
 */
public final class HttpProtocolModule implements ProtocolModule {

  private static final Logger LOG = Logger.getLogger(HttpProtocolModule.class.getName());

  @Override
  public String name() {
    return "http";
  }

  @Override
  public int defaultPort() {
    return 3000;
  }

  @Override
  public String defaultListenerName() {
    return "web";
  }

  @Override
  public void check(ListenerConfig listener) {
    if (listener.upstream() != null || !listener.routes().isEmpty()) {
      ProtocolModule.super.check(listener);
    }
  }

  @Override
  public void checkUpstream(Upstream upstream, String field) {
    ProtocolModule.requireNotWebSocket(name(), upstream, field);
  }

  @Override
  public Future<Integer> deploy(ListenerDeployment deployment) {
    ListenerConfig configured = deployment.listener();
    Future<ListenerDeployment> ready = Future.succeededFuture(deployment);
    if (configured.upstream() == null && configured.routes().isEmpty()) {
      MockUpstream mock = new MockUpstream();
      ready = deployment.vertx().deployVerticle(mock).map(id -> {
        LOG.info(() -> "listener " + configured.name() + " has no upstream: answering from the built-in mock upstream");
        return deployment.with(configured.withUpstream("http://127.0.0.1:" + mock.actualPort()));
      });
    }
    ConnectionGate gate = new ConnectionGate(configured);
    return ready.compose(d -> d.perEventLoop(
        () -> new HttpProxyVerticle(d.listener(), d.state(), gate, d.bindPort(), d.events()), HttpProxyVerticle::actualPort));
  }
}
