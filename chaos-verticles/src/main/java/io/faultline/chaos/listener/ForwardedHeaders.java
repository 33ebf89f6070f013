package io.faultline.chaos.listener;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;

/** What a proxy does to the headers it forwards: drop the ones {@code Connection} names, add {@code X-Forwarded-*}. */
public final class ForwardedHeaders {

  private ForwardedHeaders() {
  }

  /** Applies both to {@code headers}, the outgoing copy of {@code incoming}'s headers. */
  public static void apply(MultiMap headers, HttpServerRequest incoming) {
    String connection = headers.get("Connection");
    if (connection != null) {
      // Headers named in Connection are hop-by-hop too (RFC 9110 7.6.1).
      for (String name : connection.split(",")) {
        if (!name.isBlank()) {
          headers.remove(name.trim());
        }
      }
    }
    SocketAddress remote = incoming.remoteAddress();
    if (remote != null) {
      // an accepted connection's host is its address as text, kept with the connection; hostAddress() formats it anew
      String address = remote.hostName() == null && remote.host() != null ? remote.host() : remote.hostAddress();
      // every earlier hop's, in order, however many fields they came in (nginx's $proxy_add_x_forwarded_for)
      if (!headers.contains("X-Forwarded-For")) {
        headers.set("X-Forwarded-For", address); // (the common case, with no list made)
      } else {
        java.util.List<String> previous = headers.getAll("X-Forwarded-For");
        headers.set("X-Forwarded-For", previous.size() == 1 ? previous.get(0) + ", " + address : String.join(", ", previous) + ", " + address);
      }
    }
    if (!headers.contains("X-Forwarded-Proto")) {
      headers.set("X-Forwarded-Proto", incoming.scheme() == null ? "http" : incoming.scheme());
    }
    HostAndPort authority = RequestAuthority.of(incoming);
    if (authority != null && !headers.contains("X-Forwarded-Host")) {
      headers.set("X-Forwarded-Host", authority.toString());
    }
  }
}
