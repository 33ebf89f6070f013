package io.faultline.protocol.graphql;

import io.faultline.chaos.engine.RequestFacts;
import io.faultline.chaos.engine.Terminal;
import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.exchange.Exchange;
import io.faultline.chaos.exchange.Translator;
import io.faultline.chaos.fault.GraphQlFieldFault;
import io.faultline.chaos.listener.ServerRequestFacts;
import io.vertx.core.Vertx;

/**
 * What the exchange lifecycle looks like for a subscription ({@code graphql-transport-ws}): a refusal is
 * an {@code error} message for the subscription's id, saying what a GraphQL server would
 * ({@link GraphQlAnswer}, as over HTTP), and the upstream never sees the subscription; timeouts and
 * connection errors close the client's connection; forwarding passes the subscribe on, with field
 * faults to apply to its every {@code next}. A subscribe ends as an exchange once acted on.
 */
final class SubscribeTranslator implements Translator<Subscribe> {

  private final Vertx vertx;
  private final String listener;

  SubscribeTranslator(Vertx vertx, String listener) {
    this.vertx = vertx;
    this.listener = listener;
  }

  @Override
  public RequestFacts facts(Subscribe subscribe, String route) {
    return new ServerRequestFacts(listener, "graphql", RequestFacts.Shape.CALL, route, subscribe.relay().upgrade(),
        subscribe.operation().facts());
  }

  @Override
  public boolean gone(Subscribe subscribe) {
    return subscribe.relay().clientClosed();
  }

  /** The client left while chaos held the subscribe: what waits behind it goes on, so its upstream gets its close. */
  @Override
  public void left(Exchange<Subscribe> exchange) {
    exchange.drop(false);
    exchange.call().acted().tryComplete();
  }

  @Override
  public void forward(Exchange<Subscribe> exchange) {
    Subscribe subscribe = exchange.call();
    if (!exchange.verdict().fieldErrors().isEmpty() && !exchange.counted(GraphQlFieldFault.TYPE)) {
      // a subscription is counted once, as it goes upstream with field faults: they null every event that has the field
      exchange.injected(GraphQlFieldFault.TYPE);
    }
    subscribe.relay().forward(subscribe, exchange.verdict().fieldErrors()).onComplete(v -> {
      exchange.end(0, "2xx", false);
      subscribe.acted().tryComplete();
    });
  }

  @Override
  public void httpError(Exchange<Subscribe> exchange, Terminal.HttpError error) {
    refuse(exchange, error, GraphQlAnswer.httpError(error));
  }

  @Override
  public void rateLimited(Exchange<Subscribe> exchange, Terminal.RateLimited limited) {
    refuse(exchange, limited, GraphQlAnswer.rateLimited(limited));
  }

  @Override
  public void breakerOpen(Exchange<Subscribe> exchange, Terminal.BreakerOpen open) {
    refuse(exchange, open, GraphQlAnswer.breakerOpen());
  }

  @Override
  public void bulkheadFull(Exchange<Subscribe> exchange, Terminal.BulkheadFull full) {
    refuse(exchange, full, GraphQlAnswer.bulkheadFull());
  }

  @Override
  public void status(Exchange<Subscribe> exchange, Terminal.Status status) {
    refuse(exchange, status, GraphQlAnswer.status(status));
  }

  @Override
  public void graphQlError(Exchange<Subscribe> exchange, Terminal.GraphQlError error) {
    refuse(exchange, error, GraphQlAnswer.graphQlError(error));
  }

  /**
   * Holds the subscribe, then closes the connection, as a network that swallowed it would end. A client that
   * completes the subscription meanwhile has given up on it: it ends there, as a client leaving, and the
   * connection with its other subscriptions goes on.
   */
  @Override
  public void timeout(Exchange<Subscribe> exchange, Terminal.Timeout timeout) {
    Subscribe subscribe = exchange.call();
    subscribe.relay().timingOut(subscribe.id(), () -> left(exchange));
    subscribe.acted().tryComplete(); // what the client sends meanwhile goes on until the connection closes
    exchange.hold(timeout.ms(), () -> {
      subscribe.relay().timedOut(subscribe.id());
      drop(exchange);
    });
  }

  @Override
  public void reset(Exchange<Subscribe> exchange, Terminal.Reset reset) {
    drop(exchange);
  }

  @Override
  public void cut(Exchange<Subscribe> exchange, Terminal.Cut cut) {
    exchange.injected(cut.type()); // applied now
    drop(exchange);
  }

  @Override
  public void upstreamDown(Subscribe subscribe, String upstream, Throwable cause) {
    GraphQlAnswer answer = GraphQlAnswer.upstreamDown(upstream);
    subscribe.relay().reject(subscribe.id(), null, answer.message(), answer.code());
    subscribe.acted().tryComplete();
  }

  @Override
  public void upstreamTooSlow(Subscribe subscribe, String upstream, Throwable cause) {
    GraphQlAnswer answer = GraphQlAnswer.upstreamTooSlow(upstream);
    subscribe.relay().reject(subscribe.id(), null, answer.message(), answer.code());
    subscribe.acted().tryComplete();
  }

  private static void refuse(Exchange<Subscribe> exchange, Terminal terminal, GraphQlAnswer answer) {
    Subscribe subscribe = exchange.call();
    subscribe.relay().reject(subscribe.id(), terminal.type(), answer.message(), answer.code());
    exchange.end(0, ChaosListener.outcome(answer.status()), answer.status() >= 500);
    subscribe.acted().tryComplete();
  }

  private static void drop(Exchange<Subscribe> exchange) {
    exchange.call().relay().dropClient();
    exchange.drop(true);
    exchange.call().acted().tryComplete();
  }
}
