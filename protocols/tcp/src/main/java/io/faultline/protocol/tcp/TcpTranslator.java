package io.faultline.protocol.tcp;

import io.faultline.chaos.engine.RequestFacts;
import io.faultline.chaos.engine.Terminal;
import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.exchange.Exchange;
import io.faultline.chaos.exchange.Translator;
import io.vertx.core.Vertx;

/**
 * What the exchange lifecycle looks like on a tcp listener, where the exchange is a client connection.
 * Bytes have no status to answer with, so every refusal (an error, a rate limit, a full bulkhead, an open
 * breaker, a listener that is down) resets the connection, counted with the status it stands for; a
 * timeout holds the connection unanswered and then closes it; an upstream that cannot be reached closes
 * it, as Toxiproxy does. Forwarding connects upstream and relays ({@link TcpProxyVerticle#connect}).
 */
final class TcpTranslator implements Translator<Connection> {

  private final Vertx vertx;
  private final TcpProxyVerticle verticle;

  TcpTranslator(Vertx vertx, TcpProxyVerticle verticle) {
    this.vertx = vertx;
    this.verticle = verticle;
  }

  @Override
  public RequestFacts facts(Connection connection, String route) {
    return connection.facts;
  }

  @Override
  public boolean gone(Connection connection) {
    return connection.clientGone();
  }

  @Override
  public void forward(Exchange<Connection> exchange) {
    verticle.connect(exchange.call(), exchange);
  }

  @Override
  public void httpError(Exchange<Connection> exchange, Terminal.HttpError error) {
    refuse(exchange.call(), error);
  }

  @Override
  public void rateLimited(Exchange<Connection> exchange, Terminal.RateLimited limited) {
    refuse(exchange.call(), limited);
  }

  @Override
  public void breakerOpen(Exchange<Connection> exchange, Terminal.BreakerOpen open) {
    refuse(exchange.call(), open);
  }

  @Override
  public void bulkheadFull(Exchange<Connection> exchange, Terminal.BulkheadFull full) {
    refuse(exchange.call(), full);
  }

  @Override
  public void status(Exchange<Connection> exchange, Terminal.Status status) {
    refuse(exchange.call(), status);
  }

  @Override
  public void graphQlError(Exchange<Connection> exchange, Terminal.GraphQlError error) {
    refuse(exchange.call(), error); // decided only for GraphQL operations: not on this listener
  }

  @Override
  public void timeout(Exchange<Connection> exchange, Terminal.Timeout timeout) {
    Connection connection = exchange.call();
    // held through the exchange, so that switching chaos off sends it on to its upstream (a timer of its own closed it all
    // the same, at the timeout)
    exchange.hold(timeout.ms(), () -> {
      connection.client.close();
      connection.end(0, "dropped", true);
    });
  }

  @Override
  public void reset(Exchange<Connection> exchange, Terminal.Reset reset) {
    drop(exchange.call());
  }

  @Override
  public void cut(Exchange<Connection> exchange, Terminal.Cut cut) {
    exchange.injected(cut.type()); // applied now
    drop(exchange.call()); // a stream of bytes has no response to cut short: the connection is lost before it starts
  }

  @Override
  public void upstreamDown(Connection connection, String upstream, Throwable cause) {
    connection.client.close();
    connection.end(502, ChaosListener.outcome(502), true);
  }

  @Override
  public void upstreamTooSlow(Connection connection, String upstream, Throwable cause) {
    connection.client.close();
    connection.end(504, ChaosListener.outcome(504), true);
  }

  private static void refuse(Connection connection, Terminal terminal) {
    int status = terminal.httpStatus();
    Sockets.reset(connection.client);
    connection.end(status, status == 0 ? "dropped" : ChaosListener.outcome(status), status == 0 || status >= 500);
  }

  private static void drop(Connection connection) {
    Sockets.reset(connection.client);
    connection.end(0, "dropped", true);
  }
}
