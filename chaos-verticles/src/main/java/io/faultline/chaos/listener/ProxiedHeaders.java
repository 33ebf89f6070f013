package io.faultline.chaos.listener;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;
import io.vertx.core.MultiMap;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The headers a proxy passes on: a request's but {@code Host} (the upstream request gets its own), an
 * answer's but the hop-by-hop ones (RFC 9110 7.6.1). Vert.x's header maps are Netty's too, and read as
 * such they hand out the decoded names and values as they are, with no String copy of each.
 */
public final class ProxiedHeaders {

  /** Hop-by-hop headers (RFC 9110 7.6.1): never forwarded either way. */
  private static final AsciiString[] HOP_BY_HOP = Stream.of("connection", "keep-alive", "proxy-authenticate",
      "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade").map(AsciiString::cached)
      .toArray(AsciiString[]::new);

  private ProxiedHeaders() {
  }

  /**
   * A request's headers, but {@code Host}, into {@code to}; then {@link ForwardedHeaders} (which reads
   * {@code Connection}) and the hop-by-hop headers removed.
   */
  public static void request(io.vertx.core.http.HttpServerRequest from, MultiMap to) {
    copy(from.headers(), to, true);
    ForwardedHeaders.apply(to, from); // drops what Connection names, so before Connection goes
    for (AsciiString name : HOP_BY_HOP) {
      to.remove(name);
    }
  }

  /** An answer's headers, but the hop-by-hop ones, into {@code to}. */
  public static void answer(MultiMap from, MultiMap to) {
    copy(from, to, false);
  }

  private static void copy(MultiMap from, MultiMap to, boolean request) {
    if (from instanceof io.netty.handler.codec.http.HttpHeaders netty) {
      Iterator<Map.Entry<CharSequence, CharSequence>> entries = netty.iteratorCharSequence();
      while (entries.hasNext()) {
        Map.Entry<CharSequence, CharSequence> header = entries.next();
        if (!dropped(header.getKey(), request)) {
          to.add(header.getKey(), header.getValue());
        }
      }
    } else {
      for (Map.Entry<String, String> header : from) {
        if (!dropped(header.getKey(), request)) {
          to.add(header.getKey(), header.getValue());
        }
      }
    }
  }

  private static boolean dropped(CharSequence name, boolean request) {
    if (request) {
      return AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.HOST);
    }
    return hopByHop(name);
  }

  /** Whether {@code name} is a hop-by-hop header, in any case. */
  public static boolean hopByHop(CharSequence name) {
    for (AsciiString hop : HOP_BY_HOP) {
      if (hop.length() == name.length() && hop.contentEqualsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }
}
