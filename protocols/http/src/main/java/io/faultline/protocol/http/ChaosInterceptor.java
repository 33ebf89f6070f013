package io.faultline.protocol.http;

import io.faultline.chaos.engine.Terminal;
import io.faultline.chaos.exchange.Exchange;
import io.faultline.chaos.shaping.CutReadStream;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.streams.ReadStream;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;

/**
 * Runs each HTTP exchange through the chaos lifecycle ({@link ExchangeRunner}, with the {@link HttpTranslator}).
 *
 * <pre>
 *  request ─► started by the verticle: untouched? ─yes─► forward (HTTP/1.1 takes PlainForward instead)
 *                 │ no
 *                 ▼
 *           exchange.proceed(): admit ─► delay ─► terminal (status + JSON, held, reset) or forward
 *                                                       (request body paced if throttled)
 *  response ◄─ paced body (throttled; a Cut resets where it ends) ◄─ cut body (a Cut: part of it, then reset) ◄─ upstream
 * </pre>
 *
 * The exchange ends when the response has been sent (or the connection was lost): guards are released
 * and it is counted then.
 */
final class ChaosInterceptor implements ProxyInterceptor {

  /**
   * For chunked bodies, whose length is unknown, a cut keeps its share of the first 16 KiB, or of the whole
   * body when it ends sooner: those bytes wait until either is known.
   */
  private static final long UNKNOWN_LENGTH_WINDOW = 16 * 1024;

  private final Vertx vertx;
  ChaosInterceptor(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
    Exchange<HttpCall> exchange = RouteInterceptor.call(context).exchange;
    if (exchange == null) {
      return RouteInterceptor.send(context);
    }
    exchange.clearTraceContext(context.request().headers());
    Promise<ProxyResponse> answer = Promise.promise();
    context.set(HttpTranslator.ANSWER, answer);
    HttpTranslator.endWithAnswer(exchange, context.request().proxiedRequest().response());
    exchange.proceed();
    return answer.future();
  }

  @Override
  public Future<Void> handleProxyResponse(ProxyContext context) {
    Exchange<HttpCall> exchange = RouteInterceptor.call(context).exchange;
    if (exchange == null) {
      return context.sendResponse();
    }
    ProxyResponse response = context.response();
    // a cut is the upstream's answer's: the 502 or 504 the gateway makes when there is none goes whole; and none once the
    // kill switch came before the answer began (a slow upstream): it was applied and counted with chaos off
    Terminal.Cut cut = response.proxiedResponse() == null || !exchange.chaosOn() ? null : exchange.cutting();
    long bps = exchange.verdict().throttleBps();
    Body body = response.getBody();
    if (cut != null) {
      response.putHeader(HttpDecisions.FAULT_HEADER, cut.type());
    }
    if (body != null && (cut != null || bps > 0)) {
      ReadStream<Buffer> stream = body.stream();
      if (cut != null) {
        CutReadStream cutting = body.length() >= 0 ? new CutReadStream(stream, (long) (body.length() * cut.fraction()), () -> drop(context))
            : CutReadStream.ofUnknownLength(stream, UNKNOWN_LENGTH_WINDOW, cut.fraction(), () -> drop(context));
        stream = bps > 0 ? cutAfterPacing(exchange.paced(cutting.endingAtCut(), bps), context) : cutting;
      } else {
        stream = exchange.paced(stream, bps);
      }
      response.setBody(Body.body(stream, body.length(), body.mediaType()));
    } else if (cut != null) {
      // no body to cut (HEAD, 204, 304): the status and headers go, then the connection is closed
      return context.sendResponse().onComplete(v -> drop(context));
    }
    return context.sendResponse();
  }

  /**
   * {@code paced}, the part of an answer before its cut at the limit's rate, cut where it ends: paced above the cut, so
   * an answer of unknown length holds its first 16 KiB as they come from the upstream and sends its share at the rate
   * (paced under it, the window filled at the rate and the share went at once).
   */
  private ReadStream<Buffer> cutAfterPacing(ReadStream<Buffer> paced, ProxyContext context) {
    return new BodyStream(paced) {
      @Override
      public ReadStream<Buffer> endHandler(io.vertx.core.Handler<Void> handler) {
        body.endHandler(handler == null ? null : end -> drop(context));
        return this;
      }
    };
  }

  /**
   * Loses the connection mid-transfer: the client's connection is reset and so is the upstream request.
   * The status and headers always go first, as the fault promises (a cut at byte 0, of a body of 0 or 1
   * bytes, reset the connection before them: an empty reply, which looks like a connection error).
   */
  private void drop(ProxyContext context) {
    Aborts.brokeOff(RouteInterceptor.call(context), null); // an injected cut: a failure, as the upstream's would be
    HttpServerResponse response = context.request().proxiedRequest().response();
    HttpClientResponse upstream = context.response().proxiedResponse();
    boolean h2 = context.request().proxiedRequest().version() == HttpVersion.HTTP_2;
    vertx.runOnContext(v -> {
      // not an HTTP/1.0 client's head without a length: Vert.x refuses it (a throw here, and the reset never came, the client
      // waiting for good); the connection's close is then the whole answer
      Future<Void> head = !io.faultline.chaos.listener.AnswerFraming.headCanGoNow(response) ? Future.succeededFuture() : response.writeHead();
      head.onComplete(written -> {
        if (h2 && !response.closed()) {
          // the reset goes after what came before the cut: it would discard the DATA frames HTTP/2's flow
          // control still holds (an h2 client got 474,788-491,520 bytes of a cut at 500,000, by run)
          response.write(Buffer.buffer()).onComplete(sent -> reset(response, upstream));
        } else {
          reset(response, upstream);
        }
      });
    });
  }

  private static void reset(HttpServerResponse response, HttpClientResponse upstream) {
    Aborts.abort(response);
    if (upstream != null) {
      upstream.request().reset();
    }
  }
}
