package io.faultline.chaos.listener;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;

/**
 * The host and port a request names, as RFC 9112 section 3.2.2 has a server read them: from an
 * absolute-form target ({@code GET http://api.example/orders HTTP/1.1}) when the client sent one, whatever its
 * {@code Host} header says; otherwise from {@code Host} (HTTP/2: {@code :authority}). Vert.x reads only the
 * header, so a proxy client's request to {@code http://b.example/...} with {@code Host: a.example} took
 * {@code a.example}'s route and rules.
 */
final class RequestAuthority {

  private RequestAuthority() {
  }

  /** The request's authority, or null when it names none. */
  static HostAndPort of(HttpServerRequest request) {
    String target = request.uri();
    if (target.isEmpty() || target.charAt(0) == '/') {
      return request.authority();
    }
    int scheme = target.indexOf("://");
    if (scheme < 0) {
      return request.authority();
    }
    int start = scheme + 3;
    int end = start;
    while (end < target.length() && "/?#".indexOf(target.charAt(end)) < 0) {
      end++;
    }
    int from = Math.max(start, target.lastIndexOf('@', end - 1) + 1); // past a userinfo@
    HostAndPort named = from < end ? HostAndPort.parseAuthority(target.substring(from, end), -1) : null;
    return named != null && !named.host().isEmpty() ? named : request.authority();
  }
}
