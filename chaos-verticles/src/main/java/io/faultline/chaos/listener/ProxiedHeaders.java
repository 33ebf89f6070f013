package io.faultline.chaos.listener;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;
import io.vertx.core.MultiMap;
import io.vertx.core.http.impl.headers.HeadersMultiMap;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The headers a proxy passes on: a request's but {@code Host} (the upstream request gets its own), an
 * answer's but the hop-by-hop ones (RFC 9110 7.6.1). Vert.x's header maps are Netty's too, and read as
 * such they hand out the decoded names and values as they are, with no String copy of each. An upstream's
 * answer comes in Vert.x's adaptor around Netty's map, whose iterator makes two Strings of every header:
 * the map inside it is read instead ({@link #netty}).
 */
public final class ProxiedHeaders {

  /** Hop-by-hop headers (RFC 9110 7.6.1): never forwarded either way. */
  private static final AsciiString[] HOP_BY_HOP = Stream.of("connection", "keep-alive", "proxy-authenticate",
      "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade").map(AsciiString::cached)
      .toArray(AsciiString[]::new);

  /** Vert.x's adaptor of a Netty map, and the field that holds the map (null if it cannot be read). */
  private static final Class<?> ADAPTOR = io.vertx.core.http.impl.headers.HeadersAdaptor.class;
  private static final VarHandle ADAPTED = adapted();

  private ProxiedHeaders() {
  }

  /**
   * A request's headers, but {@code Host}, into {@code to}; then {@link ForwardedHeaders} (which reads
   * {@code Connection}) and the hop-by-hop headers removed, and {@code Expect}: listeners that take
   * request bodies answer {@code 100-continue} themselves, as nginx does.
   */
  public static void request(io.vertx.core.http.HttpServerRequest from, MultiMap to) {
    copy(from.headers(), to, true);
    ForwardedHeaders.apply(to, from); // drops what Connection names, so before Connection goes
    for (AsciiString name : HOP_BY_HOP) {
      to.remove(name);
    }
    to.remove(HttpHeaderNames.EXPECT); // the listener answered it (100 Continue) itself, and sends the body on at once
  }

  /** An answer's headers, but the hop-by-hop ones and those its {@code Connection} names, into {@code to}. */
  public static void answer(MultiMap from, MultiMap to) {
    copy(from, to, false);
    removeNamedBy(from, to);
  }

  /**
   * Gives {@code response} the answer's headers gathered in {@code headers}, a map that checks nothing
   * ({@link HeadersMultiMap#caseInsensitive}), as they are, keeping what the response already holds ({@code
   * Transfer-Encoding: chunked}). For an answer Netty's decoder read, which checked every name (a token) and value (no
   * control character) by rules stricter than Vert.x's: Vert.x's response map checks each header it is given again,
   * about 1% of the gateway's CPU on small answers (profiles README, sixteenth pass). Vert.x's map takes a read-only
   * map's entries without a copy and copies them, checked, only once it is changed after.
   */
  public static void handOver(HeadersMultiMap headers, io.vertx.core.http.HttpServerResponse response) {
    MultiMap own = response.headers();
    if (!own.isEmpty()) {
      for (Map.Entry<String, String> header : own) {
        headers.set(header.getKey(), header.getValue());
      }
    }
    if (own instanceof HeadersMultiMap) {
      own.setAll(headers.copy(false)); // shared, not added header by header (and checked)
    } else {
      own.setAll((MultiMap) headers);
    }
  }

  /**
   * Takes the answer's connection-specific headers out of {@code headers} (a proxied answer about to be sent
   * on): {@code Connection}, {@code Keep-Alive}, {@code Proxy-Connection}, {@code Upgrade} and what
   * {@code Connection} names (RFC 9110 7.6.1); an upstream's {@code Keep-Alive: timeout=5} told clients an idle
   * timeout that is not the listener's. Not for a 101, whose Upgrade and Connection are the switch itself.
   */
  public static void dropConnectionSpecific(MultiMap headers) {
    removeNamedBy(headers, headers);
    headers.remove(HttpHeaderNames.CONNECTION).remove(HttpHeaderNames.KEEP_ALIVE).remove("proxy-connection")
        .remove(HttpHeaderNames.UPGRADE);
  }

  /**
   * Removes from {@code to} the headers {@code from}'s {@code Connection} names, in every field of it (one lookup when
   * it has none), but never the message's framing ({@link #framing}); {@code close} and {@code keep-alive} are options,
   * not names ({@code Keep-Alive} goes as hop-by-hop
   * wherever headers are forwarded). An upstream's answer says {@code Connection: keep-alive} or {@code close} nearly
   * every time: its values are read in place, with no list of them and no String of each option made. {@code from}
   * may be {@code to}: a Vert.x map's values are then read from a copy.
   */
  static void removeNamedBy(MultiMap from, MultiMap to) {
    if (!from.contains(HttpHeaderNames.CONNECTION)) {
      return;
    }
    io.netty.handler.codec.http.HttpHeaders netty = netty(from);
    Iterator<? extends CharSequence> values = netty != null && !(netty instanceof MultiMap)
        ? netty.valueCharSequenceIterator(HttpHeaderNames.CONNECTION) // Netty's own map reads its values in place
        : from.getAll(HttpHeaderNames.CONNECTION).iterator();
    while (values.hasNext()) {
      CharSequence value = values.next();
      int length = value.length();
      for (int start = 0; start < length;) {
        int end = start;
        while (end < length && value.charAt(end) != ',') {
          end++;
        }
        int first = start;
        int last = end;
        while (first < last && value.charAt(first) <= ' ') {
          first++;
        }
        while (last > first && value.charAt(last - 1) <= ' ') {
          last--;
        }
        if (first < last && !option(value, first, last, "close") && !option(value, first, last, "keep-alive")
            && !framing(value, first, last)) {
          to.remove(value.subSequence(first, last).toString());
        }
        start = end + 1;
      }
    }
  }

  /**
   * Whether {@code value[first, last)} names a header that frames the message: it is never taken off for being named.
   * {@code Connection: Content-Length} took a request's length off the copy sent upstream, which then read a body-less
   * request and the body as a request of its own (smuggled past the routes and the rules, its answer given to whoever
   * next had that pooled connection). The proxy frames each hop itself: {@code Transfer-Encoding} goes as hop-by-hop,
   * and a chunked body is sent chunked again.
   */
  private static boolean framing(CharSequence value, int first, int last) {
    return option(value, first, last, "content-length") || option(value, first, last, "transfer-encoding");
  }

  /**
   * Why an upstream's answer with these {@code Transfer-Encoding} values cannot be relayed, or null when it can: none,
   * or one {@code chunked} in any case (transfer codings are case-insensitive, RFC 9112 7). Any other coding
   * ({@code gzip, chunked}) the gateway does not decode, and sent on without it the body would reach the client as
   * though it had none: nginx answers such an answer 502 too.
   */
  public static String undecodedCoding(java.util.List<String> codings) {
    if (codings.isEmpty() || codings.size() == 1 && codings.get(0).strip().equalsIgnoreCase("chunked")) {
      return null;
    }
    return "the upstream's answer came with Transfer-Encoding: " + String.join(", ", codings) + ", and only chunked is read";
  }

  /** Whether {@code value[first, last)} is {@code option}, in any case. */
  private static boolean option(CharSequence value, int first, int last, String option) {
    return last - first == option.length() && AsciiString.regionMatches(value, true, first, option, 0, option.length());
  }

  private static void copy(MultiMap from, MultiMap to, boolean request) {
    io.netty.handler.codec.http.HttpHeaders netty = netty(from);
    if (netty != null) {
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

  /**
   * The Netty map {@code headers} is or wraps: Vert.x's own maps are Netty's, and a client response's is
   * Vert.x's {@code HeadersAdaptor} around one (read through its field, found once; null where it cannot be,
   * and the headers are then copied as Strings).
   */
  static io.netty.handler.codec.http.HttpHeaders netty(MultiMap headers) {
    if (headers instanceof io.netty.handler.codec.http.HttpHeaders netty) {
      return netty;
    }
    if (ADAPTED != null && headers.getClass() == ADAPTOR) {
      return (io.netty.handler.codec.http.HttpHeaders) ADAPTED.get(headers);
    }
    return null;
  }

  private static VarHandle adapted() {
    try {
      return MethodHandles.privateLookupIn(ADAPTOR, MethodHandles.lookup())
          .findVarHandle(ADAPTOR, "headers", io.netty.handler.codec.http.HttpHeaders.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
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
