package io.faultline.chaos.listener;

import io.faultline.chaos.config.ListenerConfig;
import io.vertx.core.http.HttpClientOptions;

/** The HTTP client settings every listener uses towards its upstreams. */
public final class UpstreamClients {

  private UpstreamClients() {
  }

  /** Keep-alive connections, the listener's connect timeout and its TLS trust. */
  public static HttpClientOptions httpOptions(ListenerConfig listener) {
    return new HttpClientOptions()
        .setKeepAlive(true)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, listener.connectTimeoutMs()))
        .setTrustAll(listener.tlsTrustAll())
        .setVerifyHost(!listener.tlsTrustAll());
  }
}
