package io.faultline.protocol.graphql;

import io.faultline.chaos.config.Upstream;
import io.faultline.chaos.listener.ConnectionGate;
import io.faultline.chaos.listener.ListenerDeployment;
import io.faultline.chaos.listener.ProtocolModule;
import io.vertx.core.Future;

/** The {@code graphql} protocol (GraphQL over HTTP and over WebSocket), port 3003 by default; upstreams are the endpoint's http(s) URL. */
public final class GraphQlProtocolModule implements ProtocolModule {

  @Override
  public String name() {
    return "graphql";
  }

  @Override
  public int defaultPort() {
    return 3003;
  }

  @Override
  public String defaultListenerName() {
    return "gql";
  }

  @Override
  public void checkUpstream(Upstream upstream, String field) {
    ProtocolModule.requireNotWebSocket(name(), upstream, field);
  }

  @Override
  public Future<Integer> deploy(ListenerDeployment d) {
    ConnectionGate gate = new ConnectionGate(d.listener());
    return d.perEventLoop(() -> new GraphQlProxyVerticle(d.listener(), d.state(), gate, d.bindPort(), d.events()),
        GraphQlProxyVerticle::actualPort);
  }
}
