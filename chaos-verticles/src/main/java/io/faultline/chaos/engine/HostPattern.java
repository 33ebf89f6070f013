package io.faultline.chaos.engine;

import io.vertx.core.net.HostAndPort;
import java.util.Locale;

/**
 * A route's or a rule's {@code host}: a glob on the host a request names (its {@code Host} header, or
 * HTTP/2's {@code :authority}), case-insensitive (RFC 9110 4.2.3), with a fully qualified name's trailing
 * dot ignored on both sides ({@code api.example.com.} is {@code api.example.com}). Without a port it matches
 * the host whatever port the request names; with one ({@code api.example.com:8443}, {@code *:8443}) the
 * request must name that port. A pattern with a port used to be compared with the host alone, so it never
 * matched anything.
 */
public final class HostPattern {

  private final Glob glob;
  private final boolean withPort;

  private HostPattern(Glob glob, boolean withPort) {
    this.glob = glob;
    this.withPort = withPort;
  }

  public static HostPattern of(String pattern) {
    String lower = pattern.toLowerCase(Locale.ROOT);
    int colon = portColon(lower);
    String host = colon < 0 ? lower : lower.substring(0, colon);
    String name = host.length() > 1 && host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    return new HostPattern(Glob.value(colon < 0 ? name : name + lower.substring(colon)), colon >= 0);
  }

  /** Whether {@code authority} ({@code host}, {@code host:port}, {@code [v6]:port}; null when the request names none) matches. */
  public boolean matches(String authority) {
    HostAndPort named = authority == null ? null : HostAndPort.parseAuthority(authority, -1);
    return named != null && matches(named.host(), named.port());
  }

  /** Whether {@code host} with {@code port} (-1: none named) matches; a string is made only for a pattern with a port. */
  public boolean matches(String host, int port) {
    if (host == null) {
      return false;
    }
    String name = host.length() > 1 && host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    String lower = name.toLowerCase(Locale.ROOT);
    if (withPort) {
      return port >= 0 && glob.matches(lower + ":" + port);
    }
    return glob.matches(lower);
  }

  /** A pattern's colon before a port, or -1: an unbracketed IPv6 address ({@code ::1}) has colons but no port. */
  private static int portColon(String authority) {
    int colon = authority.lastIndexOf(':');
    if (colon <= 0) {
      return -1;
    }
    int before = authority.lastIndexOf(':', colon - 1);
    return before >= 0 && authority.lastIndexOf(']', colon) < 0 ? -1 : colon;
  }
}
