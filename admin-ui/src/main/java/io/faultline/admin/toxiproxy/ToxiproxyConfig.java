package io.faultline.admin.toxiproxy;

import io.faultline.chaos.config.ChaosConfigException;

/**
 * The {@code toxiproxy:} section: the Toxiproxy-compatible API on {@code host:port} (127.0.0.1 and
 * Toxiproxy's 8474 by default), on when {@code enabled} or when a port is given, off otherwise.
 */
public record ToxiproxyConfig(Boolean enabled, String host, Integer port) {

  public ToxiproxyConfig {
    enabled = enabled != null ? enabled : port != null;
    host = host == null ? "127.0.0.1" : host;
    port = port == null ? 8474 : port;
    if (port < 0 || port > 65535) {
      throw new ChaosConfigException("port", "must be between 0 and 65535, got " + port);
    }
  }

  public static ToxiproxyConfig off() {
    return new ToxiproxyConfig(false, null, null);
  }
}
