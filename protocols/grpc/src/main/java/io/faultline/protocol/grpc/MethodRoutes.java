package io.faultline.protocol.grpc;

import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.config.RouteConfig;
import io.faultline.chaos.config.Upstream;
import io.faultline.chaos.engine.Glob;
import java.util.ArrayList;
import java.util.List;

/** A gRPC listener's routes: the first route whose {@code path} glob matches {@code /package.Service/Method} wins. */
final class MethodRoutes {

  /** {@code timeoutMs}: how long the upstream may take to begin its answer (its headers), the route's or the listener's {@code timeout_ms}. */
  record Route(String name, Upstream upstream, long timeoutMs, Glob path) {
  }

  private final Route[] routes;
  private final Route fallback;

  MethodRoutes(ListenerConfig listener) {
    List<Route> compiled = new ArrayList<>();
    for (int i = 0; i < listener.routes().size(); i++) {
      RouteConfig r = listener.routes().get(i);
      compiled.add(new Route(r.name(), Upstream.parse(r.upstream(), "routes[" + i + "].upstream"),
          r.timeoutMs() != null ? r.timeoutMs() : listener.timeoutMs(), r.path() == null ? null : Glob.path(r.path())));
    }
    routes = compiled.toArray(Route[]::new);
    fallback = listener.upstream() == null ? null : new Route(null, Upstream.parse(listener.upstream(), "upstream"), listener.timeoutMs(), null);
  }

  Route select(String path) {
    for (Route route : routes) {
      if (route.path() == null || route.path().matches(path)) {
        return route;
      }
    }
    return fallback;
  }
}
