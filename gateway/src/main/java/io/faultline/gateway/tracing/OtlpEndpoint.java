package io.faultline.gateway.tracing;

import io.faultline.chaos.config.ChaosConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Where spans go: the OTLP/HTTP traces URL that {@code tracing.endpoint} ({@code --jaeger-endpoint},
 * {@code --otlp-endpoint}) names. Jaeger takes OTLP on port 4318 at {@code /v1/traces}, so a Jaeger
 * endpoint is an OTLP endpoint. A URL with no path gets {@code /v1/traces}, as OTLP's base endpoints do.
 *
 * <p>Reference 001 writes {@code http://localhost:14268/api/traces}: Jaeger's legacy collector, which takes
 * Thrift, not OTLP, and would refuse every export. That exact form (any host, port 14268, path
 * {@code /api/traces}) is mapped to the same host's OTLP receiver, {@code :4318/v1/traces}, with a warning
 * that says what to write instead; {@code /api/traces} on another port is refused, since where that
 * collector takes OTLP cannot be guessed.
 *
 * @param url        the URL spans are exported to
 * @param mappedFrom the legacy Jaeger URL it was mapped from, or null
 */
record OtlpEndpoint(String url, String mappedFrom) {

  static final String DEFAULT = "http://localhost:4318/v1/traces";
  static final String TRACES_PATH = "/v1/traces";
  static final int OTLP_HTTP_PORT = 4318;
  static final String JAEGER_THRIFT_PATH = "/api/traces";
  static final int JAEGER_THRIFT_PORT = 14268;

  /** Longest endpoint accepted (and longest quoted back in an error). */
  private static final int MAX_LENGTH = 2048;

  /** Parses {@code text}; a bad one is refused naming the field {@code endpoint}. */
  static OtlpEndpoint parse(String text) {
    if (text == null || text.isBlank()) {
      throw new ChaosConfigException("endpoint", "must be an OTLP/HTTP URL like " + DEFAULT + ", got an empty string");
    }
    if (text.length() > MAX_LENGTH) {
      throw new ChaosConfigException("endpoint", "must be at most " + MAX_LENGTH + " characters, got " + text.length());
    }
    URI uri;
    try {
      uri = new URI(text.trim());
    } catch (URISyntaxException e) {
      throw new ChaosConfigException("endpoint", "is not a valid URL: " + text);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new ChaosConfigException("endpoint", "must be an http:// or https:// URL (OTLP/HTTP, like " + DEFAULT + "), got " + text);
    }
    if (uri.getHost() == null) {
      throw new ChaosConfigException("endpoint", "must name a host, got " + text);
    }
    if (uri.getRawUserInfo() != null) {
      // not quoted back: it holds a password
      throw new ChaosConfigException("endpoint", "must not carry a user or password (user:password@): the OTLP exporter"
          + " does not send them, so a collector that asks for them would refuse every export, and they would be logged");
    }
    if (uri.getPort() == 0 || uri.getPort() > 65535) {
      throw new ChaosConfigException("endpoint", "port must be between 1 and 65535, got " + text);
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (path.equals(JAEGER_THRIFT_PATH) || path.equals(JAEGER_THRIFT_PATH + "/")) {
      if (uri.getPort() != JAEGER_THRIFT_PORT) {
        throw new ChaosConfigException("endpoint", "is Jaeger's legacy Thrift collector path, which does not take OTLP; give Jaeger's"
            + " OTLP/HTTP endpoint instead, like " + scheme + "://" + uri.getHost() + ":" + OTLP_HTTP_PORT + TRACES_PATH + ", got " + text);
      }
      return new OtlpEndpoint(with(uri, OTLP_HTTP_PORT, TRACES_PATH), text);
    }
    if (path.isEmpty() || path.equals("/")) {
      return new OtlpEndpoint(with(uri, uri.getPort(), TRACES_PATH), null);
    }
    return new OtlpEndpoint(uri.toString(), null);
  }

  /** What to log when the URL was mapped: what was given, where spans go, and what to write instead. */
  String warning() {
    return mappedFrom == null ? null : "tracing endpoint " + mappedFrom + " is Jaeger's legacy Thrift collector (port "
        + JAEGER_THRIFT_PORT + "), which does not take OTLP: exporting to " + url + ", Jaeger's OTLP/HTTP receiver,"
        + " instead; write that URL to silence this";
  }

  private static String with(URI uri, int port, String path) {
    try {
      return new URI(uri.getScheme(), uri.getUserInfo(), uri.getHost(), port, path, uri.getQuery(), null).toString();
    } catch (URISyntaxException e) {
      throw new ChaosConfigException("endpoint", "is not a valid URL: " + uri);
    }
  }
}
