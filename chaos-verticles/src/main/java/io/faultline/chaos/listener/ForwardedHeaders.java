package io.faultline.chaos.listener;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;

/** What a proxy does to the headers it forwards: drop the ones {@code Connection} names, add {@code X-Forwarded-*}. */
public final class ForwardedHeaders {

  /** The names as Netty's strings, whose hashes are kept: a String's is worked out again at each lookup. */
  private static final AsciiString FOR = AsciiString.cached("X-Forwarded-For");
  private static final AsciiString PROTO = AsciiString.cached("X-Forwarded-Proto");
  private static final AsciiString HOST = AsciiString.cached("X-Forwarded-Host");

  private ForwardedHeaders() {
  }

  /** Applies both to {@code headers}, the outgoing copy of {@code incoming}'s headers. */
  public static void apply(MultiMap headers, HttpServerRequest incoming) {
    // Headers named in Connection are hop-by-hop too (RFC 9110 7.6.1), in each of its fields (a list may come in several)
    ProxiedHeaders.removeNamedBy(headers, headers);
    SocketAddress remote = incoming.remoteAddress();
    if (remote != null) {
      // an accepted connection's host is its address as text, kept with the connection; hostAddress() formats it anew
      String address = remote.hostName() == null && remote.host() != null ? remote.host() : remote.hostAddress();
      // every earlier hop's, in order, however many fields they came in (nginx's $proxy_add_x_forwarded_for)
      if (!headers.contains(FOR)) {
        headers.set(FOR, address); // (the common case, with no list made)
      } else {
        java.util.List<String> previous = headers.getAll(FOR);
        headers.set(FOR, previous.size() == 1 ? previous.get(0) + ", " + address : String.join(", ", previous) + ", " + address);
      }
    }
    if (!headers.contains(PROTO)) {
      headers.set(PROTO, incoming.scheme() == null ? "http" : incoming.scheme());
    }
    if (!headers.contains(HOST)) {
      String host = forwardedHost(incoming);
      if (host != null) {
        headers.set(HOST, host);
      }
    }
  }

  /**
   * The authority the client named ({@link RequestAuthority}): for an origin-form target, its {@code Host} as sent (the
   * String Vert.x already made of it, where the parsed authority's would be made anew for every request); null when
   * it names none, or none Vert.x can read.
   */
  private static String forwardedHost(HttpServerRequest incoming) {
    String target = incoming.uri();
    if (!target.isEmpty() && target.charAt(0) == '/' && incoming.authority() != null) {
      String host = incoming.headers().get(HttpHeaderNames.HOST);
      if (host != null) {
        return host;
      }
    }
    HostAndPort authority = RequestAuthority.of(incoming);
    return authority == null ? null : authority.toString();
  }
}
