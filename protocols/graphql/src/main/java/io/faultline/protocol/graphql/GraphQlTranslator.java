package io.faultline.protocol.graphql;

import io.faultline.chaos.engine.RequestFacts;
import io.faultline.chaos.engine.Terminal;
import io.faultline.chaos.exchange.Exchange;
import io.faultline.chaos.exchange.Translator;
import io.faultline.chaos.exchange.UpstreamFailures;
import io.faultline.chaos.listener.ServerRequestFacts;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * What the exchange lifecycle looks like for a GraphQL operation over HTTP: refusals are an
 * {@code errors} array with {@code extensions.code} and {@code extensions.faultline} ({@link GraphQlAnswer}
 * says which status and code), timeouts hold the request then close the connection, connection errors
 * close it, a cut sends part of the answer; an upstream that is down or too slow is a 502/504 whose error
 * names it.
 */
final class GraphQlTranslator implements Translator<GraphQlCall> {

  private final Vertx vertx;
  private final String listener;

  GraphQlTranslator(Vertx vertx, String listener) {
    this.vertx = vertx;
    this.listener = listener;
  }

  @Override
  public RequestFacts facts(GraphQlCall call, String route) {
    return new ServerRequestFacts(listener, "graphql", RequestFacts.Shape.CALL, route, call.request,
        call.operation == null ? null : call.operation.facts());
  }

  @Override
  public boolean gone(GraphQlCall call) {
    return call.request.response().closed();
  }

  @Override
  public void forward(Exchange<GraphQlCall> exchange) {
    exchange.call().forward();
  }

  @Override
  public void httpError(Exchange<GraphQlCall> exchange, Terminal.HttpError error) {
    refuse(exchange.call(), error, GraphQlAnswer.httpError(error));
  }

  @Override
  public void rateLimited(Exchange<GraphQlCall> exchange, Terminal.RateLimited limited) {
    refuse(exchange.call(), limited, GraphQlAnswer.rateLimited(limited));
  }

  @Override
  public void breakerOpen(Exchange<GraphQlCall> exchange, Terminal.BreakerOpen open) {
    refuse(exchange.call(), open, GraphQlAnswer.breakerOpen());
  }

  @Override
  public void bulkheadFull(Exchange<GraphQlCall> exchange, Terminal.BulkheadFull full) {
    refuse(exchange.call(), full, GraphQlAnswer.bulkheadFull());
  }

  @Override
  public void status(Exchange<GraphQlCall> exchange, Terminal.Status status) {
    refuse(exchange.call(), status, GraphQlAnswer.status(status));
  }

  @Override
  public void graphQlError(Exchange<GraphQlCall> exchange, Terminal.GraphQlError error) {
    refuse(exchange.call(), error, GraphQlAnswer.graphQlError(error));
  }

  @Override
  public void timeout(Exchange<GraphQlCall> exchange, Terminal.Timeout timeout) {
    exchange.hold(timeout.ms(), () -> exchange.call().drop());
  }

  @Override
  public void reset(Exchange<GraphQlCall> exchange, Terminal.Reset reset) {
    exchange.call().drop();
  }

  @Override
  public void cut(Exchange<GraphQlCall> exchange, Terminal.Cut cut) {
    exchange.forward(cut);
  }

  @Override
  public void upstreamDown(GraphQlCall call, String upstream, Throwable cause) {
    upstreamFailure(call, GraphQlAnswer.upstreamDown(upstream), upstream, cause);
  }

  @Override
  public void upstreamTooSlow(GraphQlCall call, String upstream, Throwable cause) {
    upstreamFailure(call, GraphQlAnswer.upstreamTooSlow(upstream), upstream, cause);
  }

  private static void upstreamFailure(GraphQlCall call, GraphQlAnswer answer, String upstream, Throwable cause) {
    call.answer(answer.status(), upstreamBody(answer, upstream, cause));
  }

  /** The answer to an upgrade (a subscription's connection) whose upstream failed, classified as {@link #upstreamFailed} does. */
  static GraphQlAnswer upstreamAnswer(String upstream, Throwable cause) {
    return UpstreamFailures.tooSlow(cause) ? GraphQlAnswer.upstreamTooSlow(upstream) : GraphQlAnswer.upstreamDown(upstream);
  }

  /** The {@code errors} body of an upstream failure: its error names the upstream and the cause. */
  static JsonObject upstreamBody(GraphQlAnswer answer, String upstream, Throwable cause) {
    JsonObject body = GraphQlResponses.error(answer.message(), answer.code());
    body.getJsonArray("errors").getJsonObject(0).getJsonObject("extensions")
        .put("upstream", upstream).put("cause", String.valueOf(cause.getMessage()));
    return body;
  }

  private static void refuse(GraphQlCall call, Terminal terminal, GraphQlAnswer answer) {
    HttpServerResponse response = call.request.response().putHeader(GraphQlCall.FAULT_HEADER, terminal.type());
    if (answer.retryAfterSeconds() > 0) {
      response.putHeader("Retry-After", Long.toString(answer.retryAfterSeconds()));
    }
    call.answer(answer.status(), GraphQlResponses.error(answer.message(), answer.code(), "faultline", terminal.type()));
  }
}
