package io.faultline.protocol.websocket;

import io.faultline.chaos.engine.RequestFacts;
import io.faultline.chaos.engine.Terminal;
import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.exchange.Exchange;
import io.faultline.chaos.exchange.Translator;
import io.faultline.chaos.listener.AbruptClose;
import io.faultline.chaos.listener.ServerRequestFacts;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * What the exchange lifecycle looks like on a WebSocket listener, where the exchange is the upgrade
 * and the connection it becomes: a refusal answers the upgrade with its HTTP status, a JSON body and
 * {@code X-Faultline-Fault}; timeouts hold the upgrade then close the connection; connection errors and
 * cuts close it at once, with no answer. Forwarding connects upstream and relays ({@link WebSocketProxyVerticle}).
 */
final class WebSocketTranslator implements Translator<Upgrade> {

  private final Vertx vertx;
  private final String listener;
  private final WebSocketProxyVerticle verticle;

  WebSocketTranslator(Vertx vertx, String listener, WebSocketProxyVerticle verticle) {
    this.vertx = vertx;
    this.listener = listener;
    this.verticle = verticle;
  }

  @Override
  public RequestFacts facts(Upgrade upgrade, String route) {
    return new ServerRequestFacts(listener, "websocket", RequestFacts.Shape.CONNECTION, route, upgrade.request, null);
  }

  @Override
  public boolean gone(Upgrade upgrade) {
    return upgrade.request.response().closed();
  }

  @Override
  public void forward(Exchange<Upgrade> exchange) {
    verticle.connect(exchange.call(), exchange);
  }

  @Override
  public void httpError(Exchange<Upgrade> exchange, Terminal.HttpError error) {
    refuse(exchange.call(), error, 0);
  }

  @Override
  public void rateLimited(Exchange<Upgrade> exchange, Terminal.RateLimited limited) {
    refuse(exchange.call(), limited, limited.retryAfterSeconds());
  }

  @Override
  public void breakerOpen(Exchange<Upgrade> exchange, Terminal.BreakerOpen open) {
    refuse(exchange.call(), open, 0);
  }

  @Override
  public void bulkheadFull(Exchange<Upgrade> exchange, Terminal.BulkheadFull full) {
    refuse(exchange.call(), full, 0);
  }

  @Override
  public void status(Exchange<Upgrade> exchange, Terminal.Status status) {
    refuse(exchange.call(), status, 0, status.message()); // grpc_status_message, as gRPC and HTTP listeners answer it
  }

  @Override
  public void graphQlError(Exchange<Upgrade> exchange, Terminal.GraphQlError error) {
    refuse(exchange.call(), error, 0); // decided only for GraphQL operations: not on this listener
  }

  @Override
  public void timeout(Exchange<Upgrade> exchange, Terminal.Timeout timeout) {
    exchange.hold(timeout.ms(), () -> drop(exchange.call()));
  }

  @Override
  public void reset(Exchange<Upgrade> exchange, Terminal.Reset reset) {
    drop(exchange.call());
  }

  @Override
  public void cut(Exchange<Upgrade> exchange, Terminal.Cut cut) {
    exchange.injected(cut.type()); // applied now
    drop(exchange.call()); // no response body to cut: the connection is lost before the upgrade
  }

  @Override
  public void upstreamDown(Upgrade upgrade, String upstream, Throwable cause) {
    upstreamFailure(upgrade, 502, "upstream unavailable: ", upstream, cause);
  }

  @Override
  public void upstreamTooSlow(Upgrade upgrade, String upstream, Throwable cause) {
    upstreamFailure(upgrade, 504, "upstream timed out: ", upstream, cause);
  }

  private void upstreamFailure(Upgrade upgrade, int status, String what, String upstream, Throwable cause) {
    json(upgrade.request, status, new JsonObject()
        .put("error", what + upstream)
        .put("upstream", upstream)
        .put("status", status)
        .put("cause", String.valueOf(cause.getMessage())));
    upgrade.end(status, ChaosListener.outcome(status), true);
  }

  private void refuse(Upgrade upgrade, Terminal terminal, long retryAfterSeconds) {
    refuse(upgrade, terminal, retryAfterSeconds, null);
  }

  /** {@code message}: the answer's {@code error}, or null for "injected fault: TYPE". */
  private void refuse(Upgrade upgrade, Terminal terminal, long retryAfterSeconds, String message) {
    int status = terminal.httpStatus();
    upgrade.request.response().putHeader("X-Faultline-Fault", terminal.type());
    if (retryAfterSeconds > 0) {
      upgrade.request.response().putHeader("Retry-After", Long.toString(retryAfterSeconds));
    }
    json(upgrade.request, status, new JsonObject().put("error", message != null ? message : "injected fault: " + terminal.type())
        .put("fault", terminal.type()).put("status", status));
    upgrade.end(status, ChaosListener.outcome(status), status >= 500);
  }

  /** Closes the client connection without an answer. */
  private static void drop(Upgrade upgrade) {
    AbruptClose.close(upgrade.request.connection());
    upgrade.end(0, "dropped", true);
  }

  static void json(HttpServerRequest request, int status, JsonObject body) {
    request.resume();
    request.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(body.encode());
  }
}
