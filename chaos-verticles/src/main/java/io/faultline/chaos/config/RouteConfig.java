package io.faultline.chaos.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Locale;

/**
 * One route of a listener: traffic matching {@code path} (prefix or glob), {@code methods} and
 * {@code host} goes to {@code upstream}, answered with 504 after {@code timeout_ms} without a response.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RouteConfig(String name, String path, List<String> methods, String host, String upstream, Long timeoutMs) {

  /**
   * The route name of a listener's own upstream (traffic no route took), in metrics, the recorder, traces
   * and rules' {@code match.route}; no configured route may take it.
   */
  public static final String DEFAULT_NAME = "default";
  /** The route label of a request no route matched and the listener has no upstream for (a 404, gRPC's UNIMPLEMENTED). */
  public static final String UNROUTED_NAME = "none";

  public RouteConfig {
    if (name == null || name.isBlank()) {
      throw new ChaosConfigException("name", "is required");
    }
    if (host != null && host.isBlank()) {
      // as a rule's: matched against the request's host, an empty one took no traffic, all of it going to the default upstream
      throw new ChaosConfigException("host", "must not be empty: it would match nothing (leave it out to match any host)");
    }
    Check.pathGlob(path, "path");
    Upstream.parse(upstream, "upstream");
    methods = methods == null ? List.of() : methods.stream().map(m -> m == null ? null : m.toUpperCase(Locale.ROOT)).toList();
    for (int i = 0; i < methods.size(); i++) {
      Check.token(methods.get(i), "methods[" + i + "]");
    }
    if (timeoutMs != null) {
      Check.positive(timeoutMs, "timeout_ms", 0L, Check.DAY_MS);
    }
  }
}
