package io.faultline.protocol.grpc;

import io.faultline.chaos.config.Upstream;
import io.faultline.chaos.listener.ListenerDeployment;
import io.faultline.chaos.listener.ProtocolModule;
import io.vertx.core.Future;

/** The {@code grpc} protocol (HTTP/2, h2c), port 3001 by default; upstreams are {@code host:port}, {@code grpc://} or {@code grpcs://}. */
public final class GrpcProtocolModule implements ProtocolModule {

  @Override
  public String name() {
    return "grpc";
  }

  @Override
  public int defaultPort() {
    return 3001;
  }

  @Override
  public String defaultListenerName() {
    return "rpc";
  }

  @Override
  public void checkUpstream(Upstream upstream, String field) {
    ProtocolModule.requireNotWebSocket(name(), upstream, field);
    if (!upstream.basePath().isEmpty()) {
      // a call's path is its method's (/package.Service/Method): the URL's was dropped without a word, and an ingress
      // routing by it answered 404, which the client read as UNIMPLEMENTED
      throw new io.faultline.chaos.config.ChaosConfigException(field, "must not have a path for a grpc listener ("
          + upstream.basePath() + "): a call's path is its method's, /package.Service/Method; got " + upstream);
    }
  }

  @Override
  public Future<Integer> deploy(ListenerDeployment d) {
    return d.perEventLoop(() -> new GrpcProxyVerticle(d.listener(), d.state(), d.bindPort(), d.events()), GrpcProxyVerticle::actualPort);
  }
}
