package io.faultline.admin;

import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.config.Hosts;
import io.faultline.chaos.config.TlsConfig;
import java.util.List;
import java.util.Locale;

/**
 * Where the admin API (and the console, and {@code /metrics}) listens, the bearer token it requires
 * ({@code null}: none), its TLS ({@code null}: plain HTTP), and the host names it answers besides loopback
 * ones ({@code allowed_hosts}: the names a reverse proxy in front of it passes on as {@code Host}; empty:
 * any name when it listens beyond loopback, loopback names only when it listens on loopback).
 */
public record AdminConfig(String host, Integer port, String token, TlsConfig tls, List<String> allowedHosts) {

  public AdminConfig {
    host = host == null ? "127.0.0.1" : host;
    if (host.isBlank()) {
      throw new ChaosConfigException("host", "must not be blank: leave it out for 127.0.0.1, or give 0.0.0.0 for every address");
    }
    port = port == null ? 9000 : port;
    if (port < 0 || port > 65535) {
      throw new ChaosConfigException("port", "must be between 0 and 65535, got " + port);
    }
    if (token != null && token.isBlank()) {
      // A blank token must not quietly mean "no authentication": leave it out for that.
      throw new ChaosConfigException("token", "must not be blank or whitespace (leave admin.token out to run without one)");
    }
    if (token != null && !headerSafe(token)) {
      // HTTP trims a header's surrounding spaces and reads it as bytes: such a token could never match a Bearer header
      throw new ChaosConfigException("token", "must be printable ASCII with no space at either end (as a Bearer header carries"
          + " it), got a token of " + token.length() + " characters that is not");
    }
    allowedHosts = allowedHosts == null ? List.of() : allowedHosts.stream().map(AdminConfig::hostName).toList();
  }

  /**
   * Whether {@code token} can be carried in a Bearer header as it is: printable ASCII, no space at either end (HTTP trims
   * a header's surrounding spaces and reads it as bytes).
   */
  public static boolean headerSafe(String token) {
    return token.strip().equals(token) && token.chars().allMatch(c -> c >= 0x20 && c < 0x7F);
  }

  public AdminConfig(String host, Integer port, String token) {
    this(host, port, token, null, null);
  }

  public AdminConfig(String host, Integer port, String token, TlsConfig tls) {
    this(host, port, token, tls, null);
  }

  /** An {@code allowed_hosts} entry: a host name or address as a {@code Host} header names it, without scheme, port or path. */
  private static String hostName(String name) {
    String field = "allowed_hosts";
    if (name == null || name.isBlank()) {
      throw new ChaosConfigException(field, "must not hold a blank name");
    }
    String n = name.trim().toLowerCase(Locale.ROOT);
    if (!n.matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?|\\[[0-9a-f:.]+]")) {
      throw new ChaosConfigException(field, "must hold host names as a Host header gives them, without scheme, port or path "
          + "(faultline.example.com, 10.0.0.5, [fd00::5]), got " + name);
    }
    return n;
  }

  /** True when {@code hostHeader} (with or without a port) names one of {@link #allowedHosts}. */
  public boolean allows(String hostHeader) {
    String name = SameOrigin.name(hostHeader);
    return name != null && allowedHosts.contains(name);
  }

  /** {@code http} or {@code https}. */
  public String scheme() {
    return tls == null ? "http" : "https";
  }

  /** True when the API listens on a loopback address only (127.0.0.0/8, ::1, localhost). */
  public boolean loopback() {
    return Hosts.loopback(host);
  }

  public static AdminConfig defaults() {
    return new AdminConfig(null, null, null);
  }
}
