package io.faultline.protocol.http;

import io.faultline.chaos.config.Upstream;
import io.faultline.chaos.engine.Verdict;
import io.faultline.chaos.exchange.Exchange;
import io.faultline.chaos.exchange.ExchangeRunner;
import io.faultline.chaos.exchange.UpstreamFailures;
import io.faultline.chaos.listener.AnswerDeadlines;
import io.faultline.chaos.listener.AnswerFraming;
import io.faultline.chaos.listener.ProxiedHeaders;
import io.faultline.chaos.listener.UpstreamChannel;
import io.faultline.chaos.listener.UpstreamChannels;
import io.faultline.chaos.listener.UpstreamTrace;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.impl.headers.HeadersAdaptor;
import io.vertx.core.http.impl.headers.HeadersMultiMap;
import io.vertx.core.internal.buffer.BufferInternal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

/**
 * The plain-proxy path: an HTTP/1.x exchange chaos left untouched goes from the client to its upstream
 * and back here, without the interceptor chain. vertx-http-proxy copies the headers into a map of its
 * own each way, parses and re-formats every response's Date, and runs each exchange through a chain of
 * futures: a third of the listener's CPU in the bench's profile. Here the client's headers are copied
 * once, into the upstream request, and the bodies stream through as they arrive, back-pressured. Its
 * connections to the upstreams are its own, read and written with Netty's HTTP codec ({@link UpstreamChannels}:
 * Vert.x's HTTP client cost most of the gap to nginx), and so are its route timeouts ({@link AnswerDeadlines}):
 * Vert.x's timer per request cost 3.5% of the path's CPU.
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

  private final UpstreamChannels channels;
  private final ExchangeRunner<HttpCall> runner;
  private final AnswerDeadlines deadlines;
  private long dateSecond = -1;
  private String date;

  PlainForward(UpstreamChannels channels, ExchangeRunner<HttpCall> runner, AnswerDeadlines deadlines) {
    this.channels = channels;
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
    call.request.pause();
    channels.acquire(call.route.upstream(), call.route.timeoutMs()).onComplete(opened -> {
      if (opened.failed()) {
        unanswered(call, opened.cause());
      } else {
        new Relay(call, opened.result()).send();
      }
    });
  }

  /**
   * Whether a request that failed before any answer goes out again, once, on another connection: as nginx
   * does ({@code proxy_next_upstream error}), when the connection had carried an exchange before (an upstream
   * closes a kept-alive connection as a request goes out on it: its keep-alive timeout, a restart), the
   * method is idempotent, the request had no body (it is not kept to be sent again), and the client is still
   * there with nothing answered. A timeout is never sent again: the upstream had it; nor a request the upstream
   * answered with what cannot be read (a broken status line, a head past the limits: nginx's {@code invalid_header},
   * not among its defaults), which it had too. The proxy's interceptor chain asks the same ({@link RouteInterceptor#send}).
   *
   * @param reused whether the connection had carried an exchange before this one
   * @param heard whether anything of an answer came in on it for this one
   */
  static boolean sendsAgain(HttpCall call, boolean reused, boolean heard, Throwable cause) {
    HttpServerRequest request = call.request;
    if (call.retried || !reused || heard || UpstreamFailures.tooSlow(cause) || !bodiless(request)
        || request.response().closed() || request.response().headWritten() || !IDEMPOTENT.contains(request.method())) {
      return false;
    }
    call.retried = true;
    return true;
  }

  /** Whether {@code request} has no body: neither chunked nor of a length other than 0 (RFC 9112 6.3). */
  private static boolean bodiless(HttpServerRequest request) {
    MultiMap headers = request.headers();
    if (headers.contains(HttpHeaders.TRANSFER_ENCODING)) {
      return false;
    }
    String length = headers.get(HttpHeaders.CONTENT_LENGTH);
    return length == null || length.equals("0");
  }

  /**
   * One exchange on one upstream connection: the client's request goes out as it is read, back-pressured, and the
   * upstream's answer comes back piece by piece, each piece of its body written to the client as it is, without a
   * copy, and given back to Netty's pool once written. The connection goes back to its pool once the request went
   * out whole and the answer came in whole (and is closed after any failure), and the route timeout
   * ({@link AnswerDeadlines}) runs until the answer's head is in: as with Vert.x's own request timeout, which it
   * replaces, a body is never cut for its silences (an event stream may wait longer than any timeout between two
   * events).
   */
  private final class Relay implements UpstreamChannel.Exchange {

    private final HttpCall call;
    private final HttpServerRequest request;
    private final HttpServerResponse response;
    private final UpstreamChannel channel;
    /** The upstream call's client span, when traced; else null. */
    private UpstreamTrace trace;
    /** The answer's status, once its head is in. */
    private int status;
    private AnswerDeadlines.Watch watch;
    /** The request went out whole. */
    private boolean sent;
    /** The answer's head came in. */
    private boolean answered;
    /** The answer came in whole. */
    private boolean received;
    /** The upstream keeps the connection after this answer. */
    private boolean reusable;
    /** The connection was given back or closed: nothing more of it is this exchange's. */
    private boolean over;
    /** The head is in and was not written yet: it goes at the end of the read unless a body piece took it. */
    private boolean headDue;

    Relay(HttpCall call, UpstreamChannel channel) {
      this.call = call;
      this.request = call.request;
      this.response = call.request.response();
      this.channel = channel;
    }

    void send() {
      if (response.closed()) {
        over = true;
        channel.unused(); // it carried nothing of this exchange: as good as it was
        dropped(call);
        return;
      }
      Upstream upstream = call.route.upstream();
      // the client's headers were checked as they were read: the copy is not checked again
      HeadersMultiMap headers = HeadersMultiMap.caseInsensitive();
      ProxiedHeaders.request(request, headers);
      headers.set(HttpHeaders.HOST, channel.authority());
      if ("chunked".equals(request.getHeader(HttpHeaders.TRANSFER_ENCODING))) {
        headers.set(HttpHeaders.TRANSFER_ENCODING, HttpHeaders.CHUNKED);
      }
      String uri = upstream.target(request.uri());
      if (call.exchange != null) {
        call.exchange.clearTraceContext(headers); // the client span's context replaces the client's own
      }
      trace = UpstreamTrace.start(call.origin, channel, request.method().name(), uri, headers);
      io.netty.handler.codec.http.HttpMethod method = request.method().toNetty();
      channel.begin(this, request.method() == HttpMethod.HEAD);
      long timeoutMs = call.route.timeoutMs();
      watch = deadlines.watch(timeoutMs, () -> timedOut(timeoutMs));
      Exchange<HttpCall> exchange = call.exchange;
      response.closeHandler(v -> {
        // the connection is gone: the exchange is counted dropped now, and the upstream stops working for nobody
        // (its connection is closed), as nginx does. A failure for a breaker only when the upstream broke the
        // answer off (Aborts.brokeOff); a client that left counts neither way (it counted as a failure, and opened
        // breakers)
        if (exchange != null) {
          exchange.drop(call.brokenOff);
        }
        if (!over) {
          abandon();
          if (!answered) {
            dropped(call);
          }
        }
      });
      if (bodiless(request)) { // the whole request in one write; its end, still to be read, is taken with nothing to do
        channel.write(new DefaultFullHttpRequest(io.netty.handler.codec.http.HttpVersion.HTTP_1_1, method, uri.isEmpty() ? "/" : uri,
            Unpooled.EMPTY_BUFFER, headers, EmptyHttpHeaders.INSTANCE), true);
        sent = true;
        request.resume();
        return;
      }
      // the head goes with the body's first piece
      channel.write(new DefaultHttpRequest(io.netty.handler.codec.http.HttpVersion.HTTP_1_1, method, uri.isEmpty() ? "/" : uri, headers), false);
      request.handler(chunk -> {
        if (over) {
          return; // the exchange failed or was abandoned: the rest of the body has nowhere to go
        }
        channel.write(new DefaultHttpContent(((BufferInternal) chunk).getByteBuf()), true);
        if (!channel.writable()) {
          request.pause(); // until the connection drains (writable)
        }
        progress(); // the route timeout bounds the upstream's silence, not the client's upload
      });
      request.endHandler(v -> {
        progress();
        if (!over) {
          channel.write(LastHttpContent.EMPTY_LAST_CONTENT, true);
          sent = true;
          if (received) {
            finish(reusable);
          }
        }
      });
      request.exceptionHandler(e -> {
        // the client's body broke off: the upstream cannot have the request whole
        if (!over) {
          abandon();
          if (answered) {
            Aborts.abort(response);
          } else {
            unanswered(call, e);
          }
        }
      });
      request.resume();
    }

    /**
     * A piece of the request's body went upstream (or its end): the route timeout counts from now. An upload
     * slower than the timeout was answered 504 "the upstream did not answer" while the upstream was still reading
     * it; as nginx's proxy_send_timeout and proxy_read_timeout, the timeout bounds each silence.
     */
    private void progress() {
      if (watch != null) {
        watch.restart();
      }
    }

    @Override
    public void writable() {
      if (!sent && !over) {
        request.resume();
      }
    }

    @Override
    public void head(HttpResponse in) {
      if (over) {
        return; // abandoned as it came (its client left)
      }
      answered = true;
      if (watch != null) {
        watch.done();
      }
      if (response.closed()) {
        abandon();
        dropped(call);
        return;
      }
      status = in.status().code();
      response.setStatusCode(status);
      String reason = in.status().reasonPhrase();
      if (!reason.equals(HttpResponseStatus.valueOf(status).reasonPhrase())) {
        response.setStatusMessage(reason); // (a custom reason costs Vert.x a new status line object per answer)
      }
      io.netty.handler.codec.http.HttpHeaders inHeaders = in.headers();
      // Netty's decoder checked each of them as it read them: gathered where nothing checks them again (handOver)
      HeadersMultiMap headers = HeadersMultiMap.caseInsensitive();
      ProxiedHeaders.answer(new HeadersAdaptor(inHeaders), headers);
      if (!headers.contains(HttpHeaders.DATE)) {
        headers.set(HttpHeaders.DATE, date());
      }
      reusable = UpstreamChannel.keepsAlive(in);
      count(call, response, status);
      if (!headers.contains(HttpHeaders.CONTENT_LENGTH) && AnswerFraming.unknownLength(request, response)) {
        String trailer = inHeaders.get(HttpHeaderNames.TRAILER);
        if (trailer != null) {
          headers.set(HttpHeaderNames.TRAILER, trailer); // its trailers come with the body's end
        }
      }
      ProxiedHeaders.handOver(headers, response);
      // The head goes out when it comes, also without a body yet (an event stream's first event, a long poll's
      // answer, may be minutes away, and such clients wait for the head): at the end of this read, so a body
      // that came in the same read still goes out with it
      headDue = true;
    }

    @Override
    public void piece(HttpContent piece) {
      if (over || response.closed()) {
        piece.release();
        if (!over) {
          abandon();
        }
        return;
      }
      headDue = false;
      ByteBuf content = piece.content();
      if (piece instanceof LastHttpContent end) {
        received = true;
        if (trace != null) {
          trace.answered(status); // before the answer's end ends the exchange's span: a child ends before its parent
        }
        io.netty.handler.codec.http.HttpHeaders trailers = end.trailingHeaders();
        if (!trailers.isEmpty() && response.isChunked()) {
          response.trailers().addAll(new HeadersAdaptor(trailers));
        }
        if (content.isReadable()) {
          UpstreamChannel.pass(piece, response, true);
        } else {
          piece.release();
          response.end();
        }
        if (sent) {
          finish(reusable);
        } else {
          if (trace != null) {
            trace.answered(status); // the answer came whole: the call is over, though its connection cannot go back
          }
          // answered before the upload's end (a 413, a 401): the connection, mid-request, cannot carry another, and
          // the rest of the body is read and let go, so the client's next request can come (as nginx does)
          abandon();
          request.resume();
        }
        return;
      }
      channel.passOn(piece, response, this);
    }

    @Override
    public void readDone() {
      if (headDue) {
        headDue = false;
        if (AnswerFraming.headCanGoNow(response)) {
          response.writeHead();
        }
      }
    }

    @Override
    public void failed(Throwable cause) {
      if (over) {
        return;
      }
      over = true; // the connection is closed
      if (watch != null) {
        watch.done();
      }
      if (trace != null) {
        trace.failed(cause);
      }
      if (received) {
        if (!sent) {
          request.resume(); // the rest of its body is read and let go, so the client's next request can come
        }
        return; // the answer went whole: only the rest of the request is lost with the connection
      }
      if (!answered) {
        if (sendsAgain(call, channel.reused(), channel.heard(), cause)) {
          forward(call);
        } else {
          unanswered(call, cause);
        }
        return;
      }
      Aborts.brokeOff(call, cause);
      // the head goes first, as the upstream sent it: a client told the answer broke off, not given an empty reply
      // (not an HTTP/1.0 client's head without a length: Vert.x refuses it, and the exception left the client waiting)
      if (!AnswerFraming.headCanGoNow(response)) {
        Aborts.abort(response);
      } else {
        response.writeHead().onComplete(written -> Aborts.abort(response));
      }
    }

    /** The route timeout passed with no answer: 504, naming the client's request (built only now, not for every request). */
    private void timedOut(long timeoutMs) {
      if (!over) {
        TimeoutException late = new TimeoutException("the upstream did not answer within " + timeoutMs + " ms (route timeout): "
            + request.method() + " " + request.uri());
        if (trace != null) {
          trace.failed(late);
        }
        abandon();
        unanswered(call, late);
      }
    }

    /** The exchange is over both ways: the connection goes back to its pool, or is closed. */
    private void finish(boolean reuse) {
      if (!over) {
        over = true;
        if (watch != null) {
          watch.done();
        }
        if (trace != null) {
          trace.answered(status);
        }
        channel.done(reuse);
      }
    }

    /** The exchange stops here: its connection is closed, whatever it was doing. */
    private void abandon() {
      over = true;
      if (watch != null) {
        watch.done();
      }
      if (trace != null) {
        trace.failed(new java.io.IOException(answered ? "the exchange ended mid-answer" : "the exchange ended before the upstream answered"));
      }
      channel.close();
    }
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
  private void unanswered(HttpCall call, Throwable cause) {
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
