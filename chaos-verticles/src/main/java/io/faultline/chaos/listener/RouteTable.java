package io.faultline.chaos.listener;

import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.config.RouteConfig;
import io.faultline.chaos.config.Upstream;
import io.faultline.chaos.engine.Glob;
import io.faultline.chaos.engine.HostPattern;
import io.faultline.chaos.engine.MatchPath;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** A listener's routes, compiled once: the first route whose path, method and host match wins, else the default upstream. */
public final class RouteTable {

  /** Where one request goes. {@code name} is null for the listener's default upstream. */
  public record Route(String name, Upstream upstream, long timeoutMs, Glob path, Set<String> methods, HostPattern host) {

    /**
     * As a rule's {@code match} reads a request: the path as its upstream reads it ({@link MatchPath}:
     * {@code //orders/1} and {@code /%6frders/1} are {@code /orders/1}), the host as {@link HostPattern} reads it
     * (case-insensitive, a trailing dot ignored, a port when the pattern names one). Routes read the raw path and the host as written, so such a request skipped its route
     * for the default upstream while a rule on the same path still took it for that route's traffic.
     */
    public boolean matches(HttpServerRequest request) {
      return matches(request, path == null ? null : MatchPath.of(RequestChecks.path(request)));
    }

    /** As {@link #matches(HttpServerRequest)}, with the request's path as {@link MatchPath} reads it, read once for every route. */
    boolean matches(HttpServerRequest request, String matchPath) {
      if (path != null && !path.matches(matchPath)) {
        return false;
      }
      if (!methods.isEmpty() && !methods.contains(request.method().name())) {
        return false;
      }
      if (host != null) {
        HostAndPort authority = RequestAuthority.of(request);
        return authority != null && host.matches(authority.host(), authority.port());
      }
      return true;
    }
  }

  private final Route[] routes;
  private final Route fallback;

  public RouteTable(ListenerConfig listener) {
    List<Route> compiled = new ArrayList<>();
    for (int i = 0; i < listener.routes().size(); i++) {
      RouteConfig r = listener.routes().get(i);
      compiled.add(new Route(r.name(), Upstream.parse(r.upstream(), "routes[" + i + "].upstream"),
          r.timeoutMs() != null ? r.timeoutMs() : listener.timeoutMs(),
          r.path() == null ? null : Glob.path(r.path()),
          Set.copyOf(r.methods()),
          r.host() == null ? null : HostPattern.of(r.host())));
    }
    this.routes = compiled.toArray(Route[]::new);
    this.fallback = listener.upstream() == null ? null
        : new Route(null, Upstream.parse(listener.upstream(), "upstream"), listener.timeoutMs(), null, Set.of(), null);
  }

  /** The route for {@code request}, or null when nothing matches and the listener has no default upstream. */
  public Route select(HttpServerRequest request) {
    String matchPath = null;
    for (Route route : routes) {
      if (matchPath == null && route.path() != null) {
        matchPath = MatchPath.of(RequestChecks.path(request));
      }
      if (route.matches(request, matchPath)) {
        return route;
      }
    }
    return fallback;
  }
}
