package io.faultline.protocol.http;

import io.faultline.chaos.exchange.Exchange;
import io.faultline.chaos.exchange.ExchangeRunner;
import io.faultline.chaos.exchange.UpstreamFailures;
import io.faultline.chaos.listener.ForwardedHeaders;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyRequest;
import io.vertx.httpproxy.ProxyResponse;
import java.util.function.Supplier;

/**
 * The outermost interceptor: takes the {@link HttpCall} the verticle routed (and chaos decided) for the
 * request, adds the {@code X-Forwarded-*} headers, prefixes the upstream's base path, and has the
 * translator answer a failed upstream call (502 unreachable, 504 too slow). Exchanges chaos left
 * untouched are counted here when their response starts.
 */
final class RouteInterceptor implements ProxyInterceptor {

  static final String CALL = "faultline.call";

  private final Supplier<HttpCall> dispatching;
  private final ExchangeRunner<HttpCall> runner;

  /** {@code dispatching} gives the call of the request being handed to the proxy (the chain starts synchronously). */
  RouteInterceptor(Supplier<HttpCall> dispatching, ExchangeRunner<HttpCall> runner) {
    this.dispatching = dispatching;
    this.runner = runner;
  }

  /** The call a proxy context carries. */
  static HttpCall call(ProxyContext context) {
    return context.get(CALL, HttpCall.class);
  }

  /** {@code body}, each piece and its end restarting the call's route timeout ({@link HttpCall#bodyProgress}). */
  static ReadStream<Buffer> progressing(ReadStream<Buffer> body, HttpCall call) {
    return new BodyStream(body) {
      @Override
      public ReadStream<Buffer> handler(Handler<Buffer> handler) {
        body.handler(handler == null ? null : piece -> {
          handler.handle(piece);
          call.bodyProgress();
        });
        return this;
      }

      @Override
      public ReadStream<Buffer> endHandler(Handler<Void> handler) {
        body.endHandler(handler == null ? null : end -> {
          call.bodyProgress();
          handler.handle(end);
        });
        return this;
      }
    };
  }

  /**
   * Sends the request of {@code context}'s call upstream (the chain's end): once more, on another connection, when a
   * kept-alive one closed before any answer and the request may go twice, as the plain path sends it
   * ({@link PlainForward#sendsAgain}). The body of such a request was empty and has ended: the second goes without.
   */
  static Future<ProxyResponse> send(ProxyContext context) {
    HttpCall call = call(context);
    return context.sendRequest().recover(failure -> {
      if (!PlainForward.sendsAgain(call, call.upstreamReused, !(failure instanceof io.vertx.core.http.HttpClosedException), failure)) {
        return Future.failedFuture(failure);
      }
      context.request().setBody(null);
      return context.sendRequest();
    }).compose(RouteInterceptor::decodable);
  }

  /**
   * {@code response}, its {@code Transfer-Encoding} written as vertx-http-proxy reads it ({@code chunked}: it answered a
   * {@code Chunked} 501 and held the upstream's connection), or a failure (a 502) for a coding the gateway does not decode
   * ({@link io.faultline.chaos.listener.ProxiedHeaders#undecodedCoding}), its upstream connection closed.
   */
  private static Future<ProxyResponse> decodable(ProxyResponse response) {
    String coding = response.headers().get(io.vertx.core.http.HttpHeaders.TRANSFER_ENCODING);
    if (coding == null) {
      return Future.succeededFuture(response);
    }
    java.util.List<String> codings = response.headers().getAll(io.vertx.core.http.HttpHeaders.TRANSFER_ENCODING);
    if (codings.size() == 1 && coding.equals("chunked")) {
      return Future.succeededFuture(response);
    }
    String undecoded = io.faultline.chaos.listener.ProxiedHeaders.undecodedCoding(codings);
    if (undecoded == null) {
      response.headers().set(io.vertx.core.http.HttpHeaders.TRANSFER_ENCODING, io.vertx.core.http.HttpHeaders.CHUNKED);
      return Future.succeededFuture(response);
    }
    response.proxiedResponse().request().connection().close();
    return Future.failedFuture(new java.io.IOException(undecoded));
  }

  @Override
  public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
    ProxyRequest request = context.request();
    HttpCall call = dispatching.get();
    call.context = context;
    context.set(CALL, call);
    if (call.route == null) {
      return Future.succeededFuture(HttpDecisions.noRoute(request));
    }
    ForwardedHeaders.apply(request.headers(), request.proxiedRequest());
    request.headers().remove(io.vertx.core.http.HttpHeaders.EXPECT); // answered by the listener (100 Continue)
    String target = call.route.upstream().target(request.getURI());
    if (!target.equals(request.getURI())) {
      request.setURI(target);
    }
    io.vertx.httpproxy.Body body = request.getBody();
    if (body != null) {
      request.setBody(io.vertx.httpproxy.Body.body(progressing(body.stream(), call), body.length(), body.mediaType()));
    }
    return context.sendRequest().recover(failure -> {
      if (runner.translator().gone(call) || clientFailed(failure)) {
        // the client left first (which is why the upstream call was cut): nobody to answer, and not the upstream's failure
        clientLeft(call);
        return Promise.<ProxyResponse>promise().future();
      }
      Promise<ProxyResponse> answer = Promise.promise();
      context.set(HttpTranslator.ANSWER, answer);
      runner.translator().upstreamFailed(call, call.route.upstream().toString(), UpstreamFailures.shown(failure));
      return answer.future();
    });
  }

  @Override
  public Future<Void> handleProxyResponse(ProxyContext context) {
    int status = context.response().getStatusCode();
    if (status != 101) {
      // hop-by-hop, on every version (they reached HTTP/1.1 clients): the listener's connection is not the upstream's
      io.faultline.chaos.listener.ProxiedHeaders.dropConnectionSpecific(context.response().headers());
    }
    boolean h2 = context.request().proxiedRequest().version() == io.vertx.core.http.HttpVersion.HTTP_2;
    HttpServerResponse client = context.request().proxiedRequest().response();
    io.vertx.core.http.HttpClientResponse upstream = context.response().proxiedResponse();
    if (upstream != null && context.response().getBody() != null && Trailers.mayHave(upstream)) {
      io.vertx.httpproxy.Body body = context.response().getBody();
      context.response().setBody(io.vertx.httpproxy.Body.body(Trailers.atEnd(body.stream(), upstream, client, h2), body.length(),
          body.mediaType()));
    }
    HttpCall call = call(context);
    if (h2) {
      // HTTP/2 forbids connection-specific fields (RFC 9113 8.2.2): an HTTP/1.1 upstream's own would make
      // the client reset the stream with PROTOCOL_ERROR
      context.response().headers().remove("transfer-encoding");
    }
    io.vertx.httpproxy.Body body = context.response().getBody();
    if (body != null && (h2 || call.exchange != null)) {
      // an upstream failing mid-body resets the stream with an error, not NO_ERROR; chaos's exchange learns
      // that the upstream broke off, not the client
      context.response().setBody(io.vertx.httpproxy.Body.body(Aborts.loud(body.stream(), call), body.length(), body.mediaType()));
    }
    HttpServerResponse answer = call.request.response();
    // vertx-http-proxy sends an answer of unknown length chunked, a 304 too (a custom status line hid it
    // from Vert.x's own check): an answer that has no body says nothing of chunks (RFC 9112 6.1)
    boolean bodiless = status < 200 || status == 204 || status == 304 || call.request.method() == io.vertx.core.http.HttpMethod.HEAD;
    Handler<Void> fixUps = v -> {
      twoDigitDay(answer.headers());
      Trailers.dropPromiseUnlessCarried(answer, h2);
      if (bodiless && !answer.headers().contains(io.vertx.core.http.HttpHeaders.CONTENT_LENGTH)) {
        answer.headers().remove(io.vertx.core.http.HttpHeaders.TRANSFER_ENCODING);
      }
    };
    answer.headersEndHandler(fixUps);
    Exchange<HttpCall> exchange = call.exchange;
    if (exchange != null) {
      exchange.responding(status);
      return send(context, answer, bodiless, fixUps);
    }
    Handler<Void> count = call.countAtEnd(runner, call.route == null ? io.faultline.chaos.config.RouteConfig.UNROUTED_NAME : ExchangeRunner.label(call.route.name()), answer, status);
    answer.endHandler(count);
    answer.closeHandler(count);
    return send(context, answer, bodiless, fixUps);
  }

  /**
   * Sends {@code context}'s answer to the client (the chain's end). vertx-http-proxy holds an answer of unknown length
   * whole for an HTTP/1.0 client, which has no chunks, and sends it with its length once the upstream's has ended: the
   * client saw nothing of an event stream, and a large download sat in the heap. Such an answer goes out here as it
   * comes, ended by the connection's close ({@link io.faultline.chaos.listener.AnswerFraming#unknownLength}), as the plain
   * path sends it.
   */
  private static Future<Void> send(ProxyContext context, HttpServerResponse answer, boolean bodiless, Handler<Void> fixUps) {
    ProxyResponse response = context.response();
    io.vertx.httpproxy.Body body = response.getBody();
    io.vertx.core.http.HttpServerRequest client = context.request().proxiedRequest();
    if (client.version() != io.vertx.core.http.HttpVersion.HTTP_1_0 || body == null || body.length() >= 0 || bodiless) {
      Future<Void> sent = context.sendResponse();
      // the head goes out as it comes, as on the plain path: vertx-http-proxy writes it with the body's first bytes, so an
      // event stream's client (or one waiting on a slow body) heard nothing until then, over HTTP/2 and on every exchange
      // a breaker, a bulkhead or a bandwidth limit guards. At the end of this turn, unless a body that came with it took
      // it (one write, not two)
      Handler<Void> head = v -> {
        if (io.faultline.chaos.listener.AnswerFraming.headCanGoNow(answer)) {
          answer.writeHead();
        }
      };
      io.vertx.core.Context here = io.vertx.core.Vertx.currentContext();
      if (here != null) {
        here.runOnContext(head);
      } else {
        head.handle(null);
      }
      return sent;
    }
    answer.setStatusCode(response.getStatusCode());
    if (response.getStatusMessage() != null) {
      answer.setStatusMessage(response.getStatusMessage());
    }
    response.headers().forEach(header -> {
      if (!header.getKey().equalsIgnoreCase("transfer-encoding")) {
        answer.headers().add(header.getKey(), header.getValue());
      }
    });
    if (body.mediaType() != null) {
      answer.putHeader(io.vertx.core.http.HttpHeaders.CONTENT_TYPE, body.mediaType());
    }
    if (!answer.headers().contains(io.vertx.core.http.HttpHeaders.DATE)) {
      answer.putHeader(io.vertx.core.http.HttpHeaders.DATE,
          java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC)));
    }
    io.faultline.chaos.listener.AnswerFraming.unknownLength(client, answer, fixUps); // (no chunks: the fix-ups drop Trailer)
    io.vertx.core.streams.Pipe<Buffer> pipe = body.stream().pipe();
    pipe.endOnSuccess(true);
    pipe.endOnFailure(false);
    return pipe.to(answer).andThen(sent -> {
      if (sent.failed()) { // as vertx-http-proxy ends a relay that broke: both sides reset
        HttpCall call = call(context);
        if (call.upstream != null) {
          call.upstream.reset();
        }
        answer.reset();
      }
    });
  }

  /**
   * vertx-http-proxy writes every answer's {@code Date} (the upstream's too) with a one-digit day of the
   * month ({@code Tue, 1 Dec 2026 ...}), which RFC 9110 5.6.7 does not allow and strict parsers (Go's) refuse:
   * the day gets its leading zero back.
   */
  private static void twoDigitDay(io.vertx.core.MultiMap headers) {
    String date = headers.get(io.vertx.core.http.HttpHeaders.DATE);
    if (date != null && date.length() > 6 && date.charAt(3) == ',' && date.charAt(6) == ' ') {
      headers.set(io.vertx.core.http.HttpHeaders.DATE, date.substring(0, 5) + "0" + date.substring(5));
    }
  }

  /**
   * Whether the upstream call failed because the proxy reset it when the client's connection failed (a
   * client that resets its connection): the proxy hears of it before the response is marked closed, so
   * {@code gone} cannot tell yet. An HTTP/1.1 upstream cannot reset a stream itself; an HTTP/2 one that
   * refuses a call resets it with an error code, not 0.
   */
  private static boolean clientFailed(Throwable failure) {
    return failure instanceof io.vertx.core.http.StreamResetException reset && reset.getCode() == 0;
  }

  private void clientLeft(HttpCall call) {
    if (call.exchange != null) {
      call.exchange.drop(false);
    } else {
      call.countDropped(runner, ExchangeRunner.label(call.route.name()));
    }
  }
}
