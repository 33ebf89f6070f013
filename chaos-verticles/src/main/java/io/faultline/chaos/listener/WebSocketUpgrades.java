package io.faultline.chaos.listener;

import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.config.Upstream;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.impl.CleanableWebSocketClient;
import io.vertx.core.http.impl.HttpClientBase;
import java.util.List;
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

  /**
   * Whether header {@code name} belongs to one hop's handshake, not to the exchange as a whole: the hop-by-hop
   * headers ({@link ProxiedHeaders#hopByHop}), {@code Host}, {@code Content-Length} and the
   * {@code Sec-WebSocket-*} handshake. The rest (credentials, cookies, the client's own) is passed on.
   */
  public static boolean ofOneHandshake(String name) {
    return ProxiedHeaders.hopByHop(name) || name.equalsIgnoreCase("host") || name.equalsIgnoreCase("content-length")
        || name.regionMatches(true, 0, "sec-websocket-", 0, 14);
  }

  private WebSocketUpgrades() {
  }

  /**
   * The client a listener opens upstream WebSockets with, made with {@code options} (from {@link #clientOptions}).
   * Its upstream handshakes take the heads the listeners' HTTP clients take ({@link ListenerServers#MAX_HEADER_BYTES}):
   * {@link WebSocketClientOptions} cannot say so, and with Netty's 8 KiB a 101 carrying more (cookies, a long
   * policy header) failed the handshake only at the timeout, answered with a false 504.
   */
  /**
   * The field of Vert.x's pipeline handler that holds the function it made its connection with, or null when a
   * later Vert.x has no such field (then nothing is released, and {@code WebSocketUpgradesTest} says so).
   */
  private static final java.lang.reflect.Field CONNECTION_FACTORY = connectionFactory();

  private static java.lang.reflect.Field connectionFactory() {
    try {
      java.lang.reflect.Field field = io.vertx.core.net.impl.VertxHandler.class.getDeclaredField("connectionFactory");
      field.setAccessible(true);
      return field;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Lets the HTTP connection an upstream WebSocket's handshake went over be collected. Vert.x 5.0.7's client
   * replaces that connection's pipeline handler with one whose connection factory (a lambda of the HTTP
   * connection) it keeps for the life of the WebSocket, and with it the HTTP connection and its write queue: 5
   * of the 25 KB an idle relayed WebSocket kept. The factory has done its work once the WebSocket is open.
   * Answers whether it was released.
   */
  public static boolean releaseHandshakeConnection(WebSocket upstream) {
    if (CONNECTION_FACTORY == null || !(upstream instanceof io.vertx.core.internal.http.WebSocketInternal socket)) {
      return false;
    }
    io.netty.channel.ChannelHandlerContext context = socket.channelHandlerContext();
    Object handler = context == null ? null : context.pipeline().get(io.vertx.core.net.impl.VertxHandler.class);
    if (handler == null) {
      return false;
    }
    try {
      CONNECTION_FACTORY.set(handler, null);
      return true;
    } catch (IllegalAccessException | RuntimeException e) {
      return false;
    }
  }

  public static WebSocketClient client(Vertx vertx, WebSocketClientOptions options) {
    WebSocketClient client = vertx.createWebSocketClient(options);
    WebSocketClient actual = client instanceof CleanableWebSocketClient cleanable ? cleanable.delegate : client;
    if (actual instanceof HttpClientBase base) {
      // the options its connections read their HTTP codec's limits from (Vert.x's own copy, made from these)
      base.options().setMaxInitialLineLength(ListenerServers.MAX_REQUEST_LINE_BYTES).setMaxHeaderSize(ListenerServers.MAX_HEADER_BYTES);
    }
    return client;
  }

  /**
   * The options of a listener's upstream WebSocket client: no connection cap, the listener's timeout and TLS trust, and
   * the closing timeout of a relayed handshake ({@link ClosingHandshake}).
   */
  public static WebSocketClientOptions clientOptions(ListenerConfig listener) {
    return new WebSocketClientOptions()
        .setClosingTimeout(ClosingHandshake.CLOSING_TIMEOUT_S)
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
      if (noneChosen(cause, options)) {
        // RFC 6455 4.2.2: a server may take none of the subprotocols offered, and the client then decides;
        // Netty's handshake refuses that answer outright, so the upstream is asked again offering none
        return client.connect(new WebSocketConnectOptions(options).setSubProtocols(List.of()));
      }
      if (cause instanceof UpgradeRejectedException rejected && rejected.getStatus() < 200) {
        // Vert.x's handshake takes the upstream's first answer for its last: an interim one (102 Processing,
        // 103 Early Hints) ends the upgrade, and passing it on would leave the client waiting for ever
        return Future.failedFuture(new VertxException("the upstream answered the upgrade with an interim "
            + rejected.getStatus() + " before its 101, which this gateway cannot go past", true));
      }
      return Future.failedFuture(cause);
    }).recover(cause -> {
      if (cause instanceof TimeoutException || System.nanoTime() - started < TimeUnit.MILLISECONDS.toNanos(timeoutMs)) {
        return Future.failedFuture(cause);
      }
      TimeoutException timeout = new TimeoutException("no answer to the upgrade within " + timeoutMs + " ms");
      timeout.initCause(cause);
      return Future.failedFuture(timeout);
    });
  }

  private static boolean noneChosen(Throwable cause, WebSocketConnectOptions options) {
    return options.getSubProtocols() != null && !options.getSubProtocols().isEmpty()
        && cause instanceof io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException
        && cause.getMessage() != null && cause.getMessage().startsWith("Invalid subprotocol. Actual: null.");
  }

  public static boolean isUpgrade(HttpServerRequest request) {
    return "websocket".equalsIgnoreCase(request.getHeader("Upgrade"));
  }

  /** Where and how to open the upstream side of {@code request}'s upgrade. */
  public static WebSocketConnectOptions connectOptions(HttpServerRequest request, Upstream upstream, long timeoutMs) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    request.headers().forEach(h -> {
      if (!ofOneHandshake(h.getKey())) {
        headers.add(h.getKey(), h.getValue());
      }
    });
    String connection = request.getHeader("Connection");
    if (connection != null) {
      headers.set("Connection", connection);
    }
    ForwardedHeaders.apply(headers, request);
    headers.remove("Connection");
    if (upstream.host().indexOf(':') >= 0) {
      // Vert.x hands Netty's handshaker the URI http://::1:8080/..., in which Netty finds no host: the handshake failed
      headers.set("Host", upstream.authority());
    }
    WebSocketConnectOptions options = new WebSocketConnectOptions()
        .setHost(upstream.host())
        .setPort(upstream.port())
        .setSsl(upstream.secure())
        .setURI(upstream.target(request.uri()))
        .setTimeout(timeoutMs)
        // the client's Origin, if it sent one, is among the headers (Vert.x drops every Origin when not allowed);
        // for a client that sent none (a CLI, a service) Vert.x would make one up, which an upstream checking
        // Origins may refuse
        .setAllowOriginHeader(request.headers().contains("Origin"))
        .setHeaders(headers);
    // every line of the header (RFC 6455 11.3.4 lets a client repeat it): only the first one was offered upstream
    List<String> offered = new java.util.ArrayList<>();
    for (String line : request.headers().getAll(SUBPROTOCOL)) {
      for (String protocol : line.trim().split("\\s*,\\s*")) {
        if (!protocol.isEmpty()) {
          offered.add(protocol);
        }
      }
    }
    if (!offered.isEmpty()) {
      options.setSubProtocols(offered);
    }
    return options;
  }

  /**
   * Makes the client's handshake answer as the upstream's did: the subprotocol it chose (or none), and
   * its 101's other headers but the hop-by-hop ones. Call before {@code toWebSocket()}, which sends the
   * response's headers with the 101.
   */
  public static void adoptHandshake(HttpServerRequest request, WebSocket upstream) {
    String chosen = upstream.subProtocol();
    if (chosen == null || chosen.isEmpty()) { // none (Netty says "" when none was offered either)
      request.headers().remove(SUBPROTOCOL);
    } else {
      request.headers().set(SUBPROTOCOL, chosen);
    }
    MultiMap answered = upstream.headers();
    if (answered != null) {
      answered.forEach(h -> {
        if (!ofOneHandshake(h.getKey())) {
          request.response().headers().add(h.getKey(), h.getValue());
        }
      });
    }
  }

  /** Answers the client as the upstream answered its upgrade: status, headers (but hop-by-hop ones) and body. */
  public static void passRejection(HttpServerRequest request, UpgradeRejectedException rejected) {
    HttpServerResponse response = request.response().setStatusCode(rejected.getStatus());
    rejected.getHeaders().forEach(h -> {
      if (!ofOneHandshake(h.getKey())) {
        response.headers().add(h.getKey(), h.getValue());
      }
    });
    request.resume();
    response.end(rejected.getBody() == null ? Buffer.buffer() : rejected.getBody());
  }
}
