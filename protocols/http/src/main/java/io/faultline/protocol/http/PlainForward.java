package io.faultline.protocol.http;

import io.faultline.chaos.config.Upstream;
import io.faultline.chaos.engine.Verdict;
import io.faultline.chaos.exchange.Exchange;
import io.faultline.chaos.exchange.ExchangeRunner;
import io.faultline.chaos.exchange.UpstreamFailures;
import io.faultline.chaos.listener.BackPressure;
import io.faultline.chaos.listener.AnswerDeadlines;
import io.faultline.chaos.listener.PassedBodies;
import io.faultline.chaos.listener.ProxiedHeaders;
import io.faultline.chaos.listener.RequestChecks;
import io.faultline.chaos.listener.RouteTable;
import io.faultline.chaos.listener.UpstreamConnections;
import io.faultline.chaos.listener.UpstreamLeg;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The plain-proxy path: an HTTP/1.x exchange chaos left untouched goes from the client to its upstream
 * and back here, without the interceptor chain. vertx-http-proxy copies the headers into a map of its
 * own each way, parses and re-formats every response's Date, and runs each exchange through a chain of
 * futures: a third of the listener's CPU in the bench's profile. Here the client's headers are copied
 * once, into the upstream request, and the bodies stream through as they arrive, back-pressured. Its
 * connections to the upstreams are its own ({@link UpstreamConnections}), and so are its route timeouts
 * ({@link AnswerDeadlines}): Vert.x's pool and its timer per request cost a tenth of the path's CPU.
 *
 * <p>What it does is what the chain does to an untouched exchange: the route's base path, the
 * {@code X-Forwarded-*} headers, hop-by-hop headers dropped (RFC 9110 7.6.1), a {@code Date} added when
 * the upstream sent none, 502/504 when the upstream fails, and the exchange counted once. Requests it
 * does not {@link #takes take} (HTTP/2, upgrades, unusual framing) go through the chain.
 *
 * <p>It also carries the exchanges chaos only delays ({@link #carries}): the exchange runs its lifecycle
 * ({@link #run}: the delay, the kill switch's release), then its translator forwards it here, and the
 * exchange, not this path, counts and records it when the answer ends. Under injected latency every request
 * is such an exchange, and the chain cost each about a third more CPU: at 200 connections delayed
 * 100 ms, their answers come due together and wait for each other's CPU.
 */
final class PlainForward {

  /** IMF-fixdate (RFC 9110 5.6.7): two-digit day, GMT. */
  private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH);

  /** The methods sent again after a kept-alive connection failed them (RFC 9110 9.2.2). */
  private static final java.util.Set<HttpMethod> IDEMPOTENT = java.util.Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS,
      HttpMethod.TRACE, HttpMethod.PUT, HttpMethod.DELETE);

  private final UpstreamConnections connections;
  private final ExchangeRunner<HttpCall> runner;
  private final AnswerDeadlines deadlines;
  private long dateSecond = -1;
  private String date;

  PlainForward(UpstreamConnections connections, ExchangeRunner<HttpCall> runner, AnswerDeadlines deadlines) {
    this.connections = connections;
    this.runner = runner;
    this.deadlines = deadlines;
  }

  /**
   * True for the requests this path serves: HTTP/1.x, no upgrade (and {@link #framed}); the listener
   * answers an {@code Expect: 100-continue} itself.
   */
  static boolean takes(HttpServerRequest request) {
    return request.version() != HttpVersion.HTTP_2 && !request.headers().contains(HttpHeaders.UPGRADE);
  }

  /**
   * False when the request's Transfer-Encoding is anything but one {@code chunked}: the proxy answers it 400.
   * Transfer codings are case-insensitive (RFC 9112 7): a {@code Chunked} is taken, and written {@code chunked}
   * for the proxy library, which refused it.
   */
  static boolean framed(HttpServerRequest request) {
    MultiMap headers = request.headers();
    String te = headers.get(HttpHeaders.TRANSFER_ENCODING);
    if (te == null) {
      return true;
    }
    if (!te.equals("chunked") && te.strip().equalsIgnoreCase("chunked")) {
      headers.set(HttpHeaders.TRANSFER_ENCODING, "chunked");
      te = "chunked";
    }
    return te.equals("chunked") && headers.getAll(HttpHeaders.TRANSFER_ENCODING).size() == 1;
  }

  /** True for a verdict this path can carry: a delay at most (no answer of chaos's own, no guard, no throttle). */
  static boolean carries(Verdict verdict) {
    return verdict.terminal() == null && verdict.guards() == 0 && verdict.throttleBps() == 0;
  }

  /**
   * Runs an exchange chaos {@link #carries only delays}: its lifecycle ends in its translator's forward, which
   * comes back to {@link #forward}. The exchange ends when the answer has been sent, or drops when the
   * connection is lost first.
   */
  void run(HttpCall call) {
    HttpServerRequest request = call.request;
    Exchange<HttpCall> exchange = call.exchange;
    request.pause();
    HttpTranslator.endWithAnswer(exchange, request.response());
    exchange.proceed();
  }

  void forward(HttpCall call) {
    HttpServerRequest request = call.request;
    RouteTable.Route route = call.route;
    request.pause();
    Upstream upstream = route.upstream();
    RequestOptions options = new RequestOptions()
        .setMethod(request.method())
        .setHost(upstream.host())
        .setPort(upstream.port())
        .setURI(upstream.target(request.uri()));
    connections.request(upstream, options, route.timeoutMs()).onComplete(opened -> {
      if (opened.failed()) {
        failed(call, opened.cause());
      } else {
        send(call, opened.result());
      }
    });
  }

  private void send(HttpCall call, UpstreamLeg leg) {
    HttpServerRequest request = call.request;
    HttpClientRequest out = leg.request();
    if (request.response().closed()) {
      leg.failed();
      out.reset();
      dropped(call);
      return;
    }
    ProxiedHeaders.request(request, out.headers());
    if (call.exchange != null) {
      call.exchange.clearTraceContext(out.headers());
    }
    if ("chunked".equals(request.getHeader(HttpHeaders.TRANSFER_ENCODING))) {
      out.setChunked(true);
    }
    leg.deadline(deadlines, call.route.timeoutMs(), request);
    leg.passBodies(); // the answer's pieces are only written on (respond)
    Exchange<HttpCall> exchange = call.exchange;
    request.response().closeHandler(v -> {
      // the connection is gone: the exchange is counted dropped now, and the upstream stops working for nobody
      // (its call is reset), as nginx does. A failure for a breaker only when the upstream broke the answer off
      // (Aborts.brokeOff); a client that left counts neither way (it counted as a failure, and opened breakers)
      if (exchange != null) {
        exchange.drop(call.brokenOff);
      }
      out.reset();
    });
    out.response().onComplete(answered -> {
      if (answered.failed()) {
        leg.failed();
        if (sendsAgain(call, leg, answered.cause())) {
          forward(call);
        } else {
          failed(call, answered.cause());
        }
      } else {
        respond(call, answered.result(), leg);
      }
    });
    if (request.isEnded()) { // sent again: it had no body, and its end has been read
      out.end().onComplete(sent -> leg.sent(sent.succeeded()));
      return;
    }
    request.handler(chunk -> {
      BackPressure.write(request, out, chunk);
      leg.progress(); // the route timeout bounds the upstream's silence, not the client's upload
    });
    request.endHandler(v -> {
      leg.progress();
      out.end().onComplete(sent -> leg.sent(sent.succeeded()));
    });
    request.exceptionHandler(e -> out.reset());
    request.resume();
  }

  /**
   * Whether a request that failed before any answer goes out again, once, on another connection: as nginx
   * does ({@code proxy_next_upstream error}), when the connection had carried an exchange before (an upstream
   * closes a kept-alive connection as a request goes out on it: its keep-alive timeout, a restart), the
   * method is idempotent, the request had no body (it is not kept to be sent again) and has been read whole,
   * and the client is still there with nothing answered. A timeout is never sent again: the upstream had it.
   */
  private static boolean sendsAgain(HttpCall call, UpstreamLeg leg, Throwable cause) {
    HttpServerRequest request = call.request;
    if (call.retried || !leg.reused() || UpstreamFailures.tooSlow(cause) || !request.isEnded()
        || request.response().closed() || request.response().headWritten() || !IDEMPOTENT.contains(request.method())) {
      return false;
    }
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null || length != null && !length.equals("0")) {
      return false;
    }
    call.retried = true;
    return true;
  }

  private void respond(HttpCall call, HttpClientResponse in, UpstreamLeg leg) {
    HttpServerResponse response = call.request.response();
    if (response.closed()) {
      in.exceptionHandler(e -> { }); // the reset's own echo: nobody left to tell
      leg.failed();
      in.request().reset();
      dropped(call);
      return;
    }
    int status = in.statusCode();
    response.setStatusCode(status);
    String reason = in.statusMessage();
    if (reason != null && !reason.equals(HttpResponseStatus.valueOf(status).reasonPhrase())) {
      response.setStatusMessage(reason); // (a custom reason costs Vert.x a new status line object per answer)
    }
    MultiMap headers = response.headers();
    ProxiedHeaders.answer(in.headers(), headers);
    if (!headers.contains(HttpHeaders.DATE)) {
      headers.set(HttpHeaders.DATE, date());
    }
    boolean closeAfter = false;
    if (!headers.contains(HttpHeaders.CONTENT_LENGTH)) {
      if (call.request.version() == HttpVersion.HTTP_1_0) {
        closeAfter = closeDelimited(call.request, response);
      } else {
        response.setChunked(true);
        String trailer = in.getHeader(io.netty.handler.codec.http.HttpHeaderNames.TRAILER);
        if (trailer != null) {
          headers.set(io.netty.handler.codec.http.HttpHeaderNames.TRAILER, trailer); // its trailers come (Trailers)
        }
      }
    }
    count(call, response, status);
    leg.answered();
    in.handler(chunk -> {
      if (response.closed()) {
        PassedBodies.drop(chunk);
        leg.failed();
        in.request().reset();
      } else if (!PassedBodies.write(in, response, chunk)) {
        Aborts.abort(response); // its exchange failed while the piece waited: the answer cannot go on whole
      }
    });
    in.exceptionHandler(e -> {
      leg.failed();
      Aborts.brokeOff(call, e);
      // the head goes first, as the upstream sent it: a client told the answer broke off, not given an empty reply
      // (not an HTTP/1.0 client's head without a length: Vert.x refuses it, and the exception left the client waiting)
      if (response.headWritten() || response.closed() || !headCanGoFirst(response)) {
        Aborts.abort(response);
      } else {
        response.writeHead().onComplete(written -> Aborts.abort(response));
      }
    });
    in.endHandler(v -> {
      leg.received(in);
      if (!response.closed()) {
        Trailers.copy(in, response, false);
        response.end();
      }
    });
    if (closeAfter) {
      RequestChecks.closeAfterAnswer(call.request); // its end is the connection's
    }
    // The head goes out when it comes, also without a body yet (an event stream's first event, a long poll's
    // answer, may be minutes away, and such clients wait for the head): after this turn of the event loop, so
    // a body that came in the same read still goes out with it.
    io.vertx.core.Vertx.currentContext().runOnContext(v -> {
      if (!response.headWritten() && !response.closed() && headCanGoFirst(response)) {
        response.writeHead();
      }
    });
  }

  /**
   * Whether {@code response}'s head can go out before its body: it says its length or is chunked. An HTTP/1.0
   * answer whose end is the connection's close cannot (Vert.x refuses it): its head goes with its first bytes,
   * as nginx sends it.
   */
  private static boolean headCanGoFirst(HttpServerResponse response) {
    return response.isChunked() || response.headers().contains(HttpHeaders.CONTENT_LENGTH);
  }

  /**
   * HTTP/1.0 has no chunks: a body of unknown length ends when the connection does (RFC 9112 6.3), so it
   * is sent as it comes and the connection closes after it, as nginx does (Vert.x would otherwise promise
   * a kept-alive connection, and the chain buffers the whole body first). Answers whether the connection
   * must be closed by hand: it is kept alive only when the client asked for that.
   */
  private static boolean closeDelimited(HttpServerRequest request, HttpServerResponse response) {
    if (!"keep-alive".equalsIgnoreCase(request.getHeader(HttpHeaders.CONNECTION))) {
      return false; // not kept alive: Vert.x closes it after the answer
    }
    response.headersEndHandler(v -> response.headers().set(HttpHeaders.CONNECTION, "close"));
    return true;
  }

  /**
   * The answer starts with {@code status}: one of chaos's exchanges is counted by its lifecycle ({@link #run}),
   * an untouched one when the answer ends ({@link HttpCall#countAtEnd}; HTTP/1 calls the end handler when the
   * connection is lost too, and the close handler resets the upstream call).
   */
  private void count(HttpCall call, HttpServerResponse response, int status) {
    if (call.exchange != null) {
      call.exchange.responding(status);
      return;
    }
    response.endHandler(call.countAtEnd(runner, ExchangeRunner.label(call.route.name()), response, status));
  }

  /** The client left before its answer: an untouched exchange is counted dropped now (one of chaos's was, when its connection closed). */
  private void dropped(HttpCall call) {
    if (call.exchange == null) {
      call.countDropped(runner, ExchangeRunner.label(call.route.name()));
    }
  }

  /** The upstream could not be reached (502) or did not answer in time (504); nobody to answer if the client left. */
  private void failed(HttpCall call, Throwable cause) {
    HttpServerResponse response = call.request.response();
    call.request.resume();
    if (response.closed() || response.headWritten()) {
      if (!response.closed()) {
        Aborts.abort(response);
      }
      dropped(call);
      return;
    }
    int status = UpstreamFailures.tooSlow(cause) ? 504 : 502;
    count(call, response, status);
    response.putHeader(HttpHeaders.DATE, date()); // as every answer has one (the chain's 502s had, these not)
    HttpDecisions.upstreamFailure(response, status, call.route.upstream().toString(), UpstreamFailures.shown(cause));
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
