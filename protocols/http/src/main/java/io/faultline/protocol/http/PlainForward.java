package io.faultline.protocol.http;

import io.faultline.chaos.config.Upstream;
import io.faultline.chaos.exchange.ExchangeRunner;
import io.faultline.chaos.exchange.UpstreamFailures;
import io.faultline.chaos.listener.BackPressure;
import io.faultline.chaos.listener.ForwardedHeaders;
import io.faultline.chaos.listener.RouteTable;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.StreamResetException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * The plain-proxy path: an HTTP/1.1 exchange chaos left untouched goes from the client to its upstream
 * and back here, without the interceptor chain. vertx-http-proxy copies the headers into a map of its
 * own each way, parses and re-formats every response's Date, and runs each exchange through a chain of
 * futures: a third of the listener's CPU in the bench's profile. Here the client's headers are copied
 * once, into the upstream request, and the bodies stream through as they arrive, back-pressured. Its
 * connections to the upstreams are its own ({@link UpstreamConnections}), and so are its route timeouts
 * ({@link IdleDeadlines}): Vert.x's pool and its timer per request cost a tenth of the path's CPU.
 *
 * <p>What it does is what the chain does to an untouched exchange: the route's base path, the
 * {@code X-Forwarded-*} headers, hop-by-hop headers dropped (RFC 9110 7.6.1), a {@code Date} added when
 * the upstream sent none, 502/504 when the upstream fails, and the exchange counted once. Requests it
 * does not {@link #takes take} (HTTP/1.0 and HTTP/2, upgrades, {@code Expect}, unusual framing) go
 * through the chain.
 */
final class PlainForward {

  /** Hop-by-hop headers (RFC 9110 7.6.1): never forwarded either way. */
  private static final AsciiString[] HOP_BY_HOP = Stream.of("connection", "keep-alive", "proxy-authenticate",
      "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade").map(AsciiString::cached)
      .toArray(AsciiString[]::new);

  /** IMF-fixdate (RFC 9110 5.6.7): two-digit day, GMT. */
  private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH);

  private final UpstreamConnections connections;
  private final ExchangeRunner<HttpCall> runner;
  private final IdleDeadlines deadlines;
  private long dateSecond = -1;
  private String date;

  PlainForward(UpstreamConnections connections, ExchangeRunner<HttpCall> runner, IdleDeadlines deadlines) {
    this.connections = connections;
    this.runner = runner;
    this.deadlines = deadlines;
  }

  /** True for the requests this path serves: HTTP/1.1, no upgrade, no {@code Expect} (and {@link #framed}). */
  static boolean takes(HttpServerRequest request) {
    return request.version() == HttpVersion.HTTP_1_1 && request.method() != HttpMethod.CONNECT
        && !request.headers().contains(HttpHeaders.UPGRADE) && !request.headers().contains(HttpHeaders.EXPECT);
  }

  /** False when the request's Transfer-Encoding is anything but one {@code chunked}: the proxy answers it 400. */
  static boolean framed(HttpServerRequest request) {
    MultiMap headers = request.headers();
    String te = headers.get(HttpHeaders.TRANSFER_ENCODING);
    return te == null || te.equals("chunked") && headers.getAll(HttpHeaders.TRANSFER_ENCODING).size() == 1;
  }

  void forward(HttpCall call) {
    HttpServerRequest request = call.request;
    RouteTable.Route route = call.route;
    request.pause();
    Upstream upstream = route.upstream();
    String basePath = upstream.basePath();
    RequestOptions options = new RequestOptions()
        .setMethod(request.method())
        .setHost(upstream.host())
        .setPort(upstream.port())
        .setURI(basePath.isEmpty() ? request.uri() : basePath + request.uri());
    connections.acquire(upstream).onComplete(acquired -> {
      if (acquired.failed()) {
        failed(call, acquired.cause());
        return;
      }
      HttpClientConnection connection = acquired.result();
      connection.request(options).onComplete(opened -> {
        if (opened.failed()) {
          connections.release(upstream, connection, false);
          failed(call, opened.cause());
        } else {
          send(call, opened.result(), new Leg(upstream, connection));
        }
      });
    });
  }

  private void send(HttpCall call, HttpClientRequest out, Leg leg) {
    HttpServerRequest request = call.request;
    if (request.response().closed()) {
      leg.failed();
      out.reset();
      runner.untouched(ExchangeRunner.label(call.route.name()), call.startedNanos, "dropped");
      return;
    }
    MultiMap headers = out.headers();
    copyHeaders(request.headers(), headers, true);
    ForwardedHeaders.apply(headers, request); // drops what Connection names, so before Connection goes
    for (AsciiString name : HOP_BY_HOP) {
      headers.remove(name);
    }
    if ("chunked".equals(request.getHeader(HttpHeaders.TRANSFER_ENCODING))) {
      out.setChunked(true);
    }
    long timeoutMs = call.route.timeoutMs();
    leg.watch = deadlines.watch(timeoutMs, () -> out.reset(0, new TimeoutException(
        "the upstream sent nothing for " + timeoutMs + " ms (route timeout) while answering " + request.method() + " " + request.uri())));
    out.response().onComplete(answered -> {
      if (answered.failed()) {
        leg.failed();
        failed(call, answered.cause());
      } else {
        respond(call, answered.result(), leg);
      }
    });
    request.handler(chunk -> BackPressure.write(request, out, chunk));
    request.endHandler(v -> out.end().onComplete(sent -> leg.sent(sent.succeeded())));
    request.exceptionHandler(e -> out.reset());
    request.resume();
  }

  private void respond(HttpCall call, HttpClientResponse in, Leg leg) {
    HttpServerResponse response = call.request.response();
    if (response.closed()) {
      leg.failed();
      in.request().reset();
      runner.untouched(ExchangeRunner.label(call.route.name()), call.startedNanos, "dropped");
      return;
    }
    int status = in.statusCode();
    response.setStatusCode(status);
    String reason = in.statusMessage();
    if (reason != null && !reason.equals(HttpResponseStatus.valueOf(status).reasonPhrase())) {
      response.setStatusMessage(reason); // (a custom reason costs Vert.x a new status line object per answer)
    }
    MultiMap headers = response.headers();
    copyHeaders(in.headers(), headers, false);
    if (!headers.contains(HttpHeaders.DATE)) {
      headers.set(HttpHeaders.DATE, date());
    }
    if (!headers.contains(HttpHeaders.CONTENT_LENGTH)) {
      response.setChunked(true);
    }
    count(call, response, status);
    leg.heard();
    in.handler(chunk -> {
      if (response.closed()) {
        leg.failed();
        in.request().reset();
        return;
      }
      leg.heard();
      BackPressure.write(in, response, chunk);
    });
    in.exceptionHandler(e -> {
      leg.failed();
      response.reset();
    });
    in.endHandler(v -> {
      leg.received(keepsAlive(in));
      if (!response.closed()) {
        response.end();
      }
    });
  }

  /** Whether the upstream keeps the connection after this answer (RFC 9112 9.3). */
  private static boolean keepsAlive(HttpClientResponse in) {
    String connection = in.getHeader(HttpHeaders.CONNECTION);
    if (in.version() == HttpVersion.HTTP_1_0) {
      return connection != null && connection.toLowerCase(Locale.ROOT).contains("keep-alive");
    }
    return connection == null || !connection.toLowerCase(Locale.ROOT).contains("close");
  }

  /**
   * The upstream side of one exchange: its connection, given back once the request went out whole and the
   * answer came in whole (closed on any failure), and its route timeout.
   */
  private final class Leg {

    private final Upstream upstream;
    private final HttpClientConnection connection;
    private IdleDeadlines.Watch watch;
    private boolean sent;
    private boolean received;
    private boolean reusable;
    private boolean over;

    Leg(Upstream upstream, HttpClientConnection connection) {
      this.upstream = upstream;
      this.connection = connection;
    }

    /** The upstream sent something: the route timeout starts again. */
    void heard() {
      if (watch != null) {
        watch.heard();
      }
    }

    /** The request went out (or failed to). */
    void sent(boolean whole) {
      sent = true;
      if (!whole) {
        failed();
      } else if (received) {
        finish(reusable);
      }
    }

    /** The answer came in whole. */
    void received(boolean keepsAlive) {
      received = true;
      reusable = keepsAlive;
      if (watch != null) {
        watch.done();
      }
      if (sent) {
        finish(reusable);
      }
    }

    void failed() {
      finish(false);
    }

    private void finish(boolean reuse) {
      if (over) {
        return;
      }
      over = true;
      if (watch != null) {
        watch.done();
      }
      connections.release(upstream, connection, reuse);
    }
  }

  private void count(HttpCall call, HttpServerResponse response, int status) {
    RouteInterceptor.countUntouched(runner, ExchangeRunner.label(call.route.name()), call.startedNanos, response, status);
  }

  /** The upstream could not be reached (502) or did not answer in time (504); nobody to answer if the client left. */
  private void failed(HttpCall call, Throwable cause) {
    HttpServerResponse response = call.request.response();
    call.request.resume();
    String label = ExchangeRunner.label(call.route.name());
    if (response.closed() || response.headWritten()) {
      if (!response.closed()) {
        response.reset();
      }
      runner.untouched(label, call.startedNanos, "dropped");
      return;
    }
    int status = UpstreamFailures.tooSlow(cause) ? 504 : 502;
    count(call, response, status);
    // a route timeout resets the upstream request: what it says is in the reset's cause
    Throwable shown = cause instanceof StreamResetException && cause.getCause() != null ? cause.getCause() : cause;
    HttpDecisions.upstreamFailure(response, status, call.route.upstream().toString(), shown);
  }

  /**
   * Copies {@code from} into {@code to}, but for the headers that stay behind ({@link #dropped}). Vert.x's header maps are Netty's too, and read as such they hand out
   * the decoded names and values as they are, with no String copy of each.
   */
  private static void copyHeaders(MultiMap from, MultiMap to, boolean request) {
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

  /**
   * Whether {@code name} stays behind: in a request only {@code Host} (its hop-by-hop headers are removed
   * after {@link ForwardedHeaders}, which reads {@code Connection}); in an answer the hop-by-hop headers.
   */
  private static boolean dropped(CharSequence name, boolean request) {
    if (request) {
      return AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.HOST);
    }
    for (AsciiString hop : HOP_BY_HOP) {
      if (hop.length() == name.length() && hop.contentEqualsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  /** The Date header for now, formatted once a second. */
  private String date() {
    long second = System.currentTimeMillis() / 1000;
    if (second != dateSecond) {
      dateSecond = second;
      date = HTTP_DATE.format(ZonedDateTime.ofInstant(Instant.ofEpochSecond(second), ZoneOffset.UTC));
    }
    return date;
  }
}
