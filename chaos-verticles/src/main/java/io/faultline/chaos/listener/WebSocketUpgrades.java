package io.faultline.chaos.listener;

import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.config.Upstream;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Proxying a WebSocket upgrade: the upstream handshake carries the client's headers and offered
 * subprotocols, the client's 101 carries the subprotocol the upstream chose and the upstream's other
 * 101 headers (cookies, for one), and an upstream that refuses the upgrade is passed on as it answered.
 * Servers that use this accept any subprotocol ({@code setWebSocketSubProtocols(List.of("*"))}):
 * {@link #adoptHandshake} rewrites the request so that the upstream's choice is the one accepted.
 */
public final class WebSocketUpgrades {

  /** The subprotocol list a proxying server accepts: whatever the request names. */
  public static final List<String> ANY_SUBPROTOCOL = List.of("*");

  private static final String SUBPROTOCOL = "Sec-WebSocket-Protocol";

  /** Headers that belong to one hop's handshake, not to the exchange as a whole. */
  private static final Set<String> HOP_BY_HOP = Set.of("host", "connection", "upgrade", "keep-alive", "te", "trailer",
      "transfer-encoding", "content-length", "proxy-connection", "proxy-authorization", "sec-websocket-key",
      "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-protocol", "sec-websocket-accept");

  /** The client's side of the handshake, which a tunnel passes on as it is (RFC 6455 4.1). */
  private static final List<String> CLIENT_HANDSHAKE = List.of("Sec-WebSocket-Key", "Sec-WebSocket-Version", SUBPROTOCOL);

  /** What of an upstream's 101 belongs to its hop when the connection is tunneled: the rest answers the client's handshake. */
  private static final Set<String> TUNNEL_HOP_BY_HOP = Set.of("connection", "upgrade", "keep-alive", "te", "trailer",
      "transfer-encoding", "content-length", "proxy-connection", "proxy-authenticate");

  private WebSocketUpgrades() {
  }

  /** The client a listener opens upstream WebSockets with: no connection cap, the listener's timeout and TLS trust. */
  public static WebSocketClientOptions clientOptions(ListenerConfig listener) {
    return new WebSocketClientOptions()
        .setMaxConnections(Integer.MAX_VALUE)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, listener.connectTimeoutMs()))
        .setTrustAll(listener.tlsTrustAll())
        .setVerifyHost(!listener.tlsTrustAll());
  }

  /**
   * Opens the upstream side of {@code request}'s upgrade. An upstream that stays silent for
   * {@code timeoutMs} fails it with a {@link TimeoutException} (too slow, not down): Vert.x's handshake
   * timeout closes the connection and reports only "Connection closed while handshake in process", as
   * it does for a peer that hung up, so a failure that comes after the timeout has run is named for it.
   */
  public static Future<WebSocket> connect(WebSocketClient client, HttpServerRequest request, Upstream upstream, long timeoutMs) {
    return connect(client, connectOptions(request, upstream, timeoutMs));
  }

  /** Opens an upstream WebSocket with {@code options} made by {@link #connectOptions} (and then adjusted), as {@link #connect} does. */
  public static Future<WebSocket> connect(WebSocketClient client, WebSocketConnectOptions options) {
    long timeoutMs = options.getTimeout();
    long started = System.nanoTime();
    return client.connect(options).recover(cause -> {
      if (cause instanceof TimeoutException || System.nanoTime() - started < TimeUnit.MILLISECONDS.toNanos(timeoutMs)) {
        return Future.failedFuture(cause);
      }
      TimeoutException timeout = new TimeoutException("no answer to the upgrade within " + timeoutMs + " ms");
      timeout.initCause(cause);
      return Future.failedFuture(timeout);
    });
  }

  public static boolean isUpgrade(HttpServerRequest request) {
    return "websocket".equalsIgnoreCase(request.getHeader("Upgrade"));
  }

  /** Where and how to open the upstream side of {@code request}'s upgrade. */
  public static WebSocketConnectOptions connectOptions(HttpServerRequest request, Upstream upstream, long timeoutMs) {
    WebSocketConnectOptions options = new WebSocketConnectOptions()
        .setHost(upstream.host())
        .setPort(upstream.port())
        .setSsl(upstream.secure())
        .setURI(upstream.basePath() + request.uri())
        .setTimeout(timeoutMs)
        .setHeaders(forwardedHeaders(request));
    String offered = request.getHeader(SUBPROTOCOL);
    if (offered != null) {
      options.setSubProtocols(List.of(offered.trim().split("\\s*,\\s*")));
    }
    return options;
  }

  /**
   * The headers of {@code request}'s upgrade that go upstream: all but this hop's handshake and the
   * hop-by-hop ones (and those its {@code Connection} names), plus {@code X-Forwarded-*}.
   */
  public static MultiMap forwardedHeaders(HttpServerRequest request) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    request.headers().forEach(h -> {
      if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(Locale.ROOT))) {
        headers.add(h.getKey(), h.getValue());
      }
    });
    String connection = request.getHeader("Connection");
    if (connection != null) {
      headers.set("Connection", connection);
    }
    ForwardedHeaders.apply(headers, request);
    headers.remove("Connection");
    return headers;
  }

  /**
   * The upgrade request that tunnels {@code request} to {@code upstream}: the {@link #forwardedHeaders},
   * and the client's own handshake (its key, version and offered subprotocols, so the upstream's 101 is
   * an answer to the client). Extensions are not offered, as the relay offers none: a connection compresses
   * nothing whichever way it goes. An upstream silent for {@code timeoutMs} once connected fails it with a
   * {@link TimeoutException}.
   */
  public static RequestOptions tunnelOptions(HttpServerRequest request, Upstream upstream, long timeoutMs) {
    MultiMap headers = forwardedHeaders(request);
    for (String name : CLIENT_HANDSHAKE) {
      String value = request.getHeader(name);
      if (value != null) {
        headers.set(name, value);
      }
    }
    headers.set("Connection", "Upgrade").set("Upgrade", "websocket");
    return new RequestOptions()
        .setMethod(HttpMethod.GET)
        .setHost(upstream.host())
        .setPort(upstream.port())
        .setURI(upstream.basePath() + request.uri())
        .setIdleTimeout(timeoutMs)
        .setHeaders(headers);
  }

  /**
   * Makes the client's 101 the upstream's, for a tunnel: its headers but the hop-by-hop ones, its accept key
   * and chosen subprotocol included (they answer the client's own handshake). Call before {@code toNetSocket()}.
   */
  public static void adoptTunnelHandshake(HttpServerRequest request, MultiMap answered) {
    MultiMap headers = request.response().headers();
    answered.forEach(h -> {
      if (!TUNNEL_HOP_BY_HOP.contains(h.getKey().toLowerCase(Locale.ROOT))) {
        headers.add(h.getKey(), h.getValue());
      }
    });
    headers.set("Upgrade", "websocket").set("Connection", "Upgrade");
  }

  /**
   * Makes the client's handshake answer as the upstream's did: the subprotocol it chose (or none), and
   * its 101's other headers but the hop-by-hop ones. Call before {@code toWebSocket()}, which sends the
   * response's headers with the 101.
   */
  public static void adoptHandshake(HttpServerRequest request, WebSocket upstream) {
    String chosen = upstream.subProtocol();
    if (chosen == null) {
      request.headers().remove(SUBPROTOCOL);
    } else {
      request.headers().set(SUBPROTOCOL, chosen);
    }
    MultiMap answered = upstream.headers();
    if (answered != null) {
      answered.forEach(h -> {
        if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(Locale.ROOT))) {
          request.response().headers().add(h.getKey(), h.getValue());
        }
      });
    }
  }

  /** Answers the client as the upstream answered its upgrade: status, headers (but hop-by-hop ones) and body. */
  public static void passRejection(HttpServerRequest request, UpgradeRejectedException rejected) {
    passRejection(request, rejected.getStatus(), rejected.getHeaders(), rejected.getBody() == null ? Buffer.buffer() : rejected.getBody());
  }

  /** Answers the client with {@code status}, {@code headers} (but hop-by-hop ones) and {@code body}, the upstream's answer to the upgrade. */
  public static void passRejection(HttpServerRequest request, int status, MultiMap headers, Buffer body) {
    HttpServerResponse response = request.response().setStatusCode(status);
    headers.forEach(h -> {
      if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(Locale.ROOT))) {
        response.headers().add(h.getKey(), h.getValue());
      }
    });
    request.resume();
    response.end(body);
  }
}
