package io.faultline.chaos.config;

import java.util.List;
import java.util.Map;

/**
 * What traffic a rule applies to. Every field that is set must match: the listener and route names,
 * a {@code path} (a prefix like {@code /api}, or a glob where {@code *} stays within one segment and
 * {@code **} crosses segments), one of {@code methods}, a {@code host} glob, and header values (globs).
 */
public record RuleMatch(
    String listener,
    String route,
    String path,
    List<String> methods,
    String host,
    Map<String, String> headers) {

  public RuleMatch {
    if (path != null && !path.startsWith("/") && !path.startsWith("*")) {
      throw new ChaosConfigException("path", "must start with / or *, got " + path);
    }
    methods = methods == null ? List.of() : methods.stream().map(m -> m.toUpperCase(java.util.Locale.ROOT)).toList();
    headers = headers == null ? Map.of() : Map.copyOf(headers);
  }

  public static RuleMatch any() {
    return new RuleMatch(null, null, null, null, null, null);
  }
}
