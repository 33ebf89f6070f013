package io.faultline.chaos.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Where a listener or route forwards to, parsed from a URL ({@code http://host:port/base},
 * {@code https://...}, {@code ws://...}) or a plain {@code host:port} (gRPC style).
 */
public record Upstream(String scheme, String host, int port, String basePath) {

  public static Upstream parse(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new ChaosConfigException(field, "is required");
    }
    String text = value.contains("://") ? value : "http://" + value;
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new ChaosConfigException(field, "is not a valid URL: " + value);
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.matches("https?|wss?|grpcs?")) {
      throw new ChaosConfigException(field, "must be an http, https, ws, wss or grpc URL, got " + value);
    }
    if (uri.getHost() == null) {
      throw new ChaosConfigException(field, "must name a host, got " + value);
    }
    if (uri.getPort() == 0 || uri.getPort() > 65535) {
      throw new ChaosConfigException(field, "port must be between 1 and 65535, got " + value);
    }
    boolean secure = isSecure(scheme);
    int port = uri.getPort() > 0 ? uri.getPort() : secure ? 443 : 80;
    String path = uri.getRawPath() == null || uri.getRawPath().equals("/") ? "" : uri.getRawPath();
    if (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
    return new Upstream(scheme, host, port, path);
  }

  public boolean secure() {
    return isSecure(scheme);
  }

  private static boolean isSecure(String scheme) {
    return scheme.equals("https") || scheme.equals("wss") || scheme.equals("grpcs");
  }

  @Override
  public String toString() {
    return scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + basePath;
  }
}
