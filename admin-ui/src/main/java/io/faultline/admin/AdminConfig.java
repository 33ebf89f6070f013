package io.faultline.admin;

import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.config.TlsConfig;

/**
 * Where the admin API (and the console, and {@code /metrics}) listens, the bearer token it requires
 * ({@code null}: none) and its TLS ({@code null}: plain HTTP).
 */
public record AdminConfig(String host, Integer port, String token, TlsConfig tls) {

  public AdminConfig {
    host = host == null ? "127.0.0.1" : host;
    port = port == null ? 9000 : port;
    if (port < 0 || port > 65535) {
      throw new ChaosConfigException("port", "must be between 0 and 65535, got " + port);
    }
    if (token != null && token.isBlank()) {
      // A blank token must not quietly mean "no authentication": leave it out for that.
      throw new ChaosConfigException("token", "must not be blank or whitespace (leave admin.token out to run without one)");
    }
  }

  public AdminConfig(String host, Integer port, String token) {
    this(host, port, token, null);
  }

  /** {@code http} or {@code https}. */
  public String scheme() {
    return tls == null ? "http" : "https";
  }

  /** True when the API listens on a loopback address only (127.0.0.0/8, ::1, localhost). */
  public boolean loopback() {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]");
  }

  public static AdminConfig defaults() {
    return new AdminConfig(null, null, null);
  }
}
