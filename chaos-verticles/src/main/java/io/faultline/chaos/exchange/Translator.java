package io.faultline.chaos.exchange;

import io.faultline.chaos.engine.RequestFacts;
import io.faultline.chaos.engine.Terminal;

/**
 * What one protocol does at each step of the {@link ExchangeRunner} lifecycle for its exchanges of type
 * {@code C}: the facts rules match on, whether the client is still there, forwarding with the verdict's
 * modifiers, each kind of {@link Terminal} decision in its own terms (an HTTP status, a gRPC status, a
 * close, an {@code errors} array), and the answer when the upstream is down (502) or too slow (504).
 * Each call that answers the client also ends the exchange (the protocol's own end hook may do it).
 */
public interface Translator<C> extends Terminal.Visitor<Exchange<C>> {

  /** The facts of {@code call} for rules and faults; {@code route} is the route's name, null for the listener's upstream. */
  RequestFacts facts(C call, String route);

  /** True when the client went away while the exchange waited. */
  boolean gone(C call);

  /**
   * The client went away while the exchange was held ({@link #gone} said so when the hold ended, or when the kill
   * switch released it): the exchange is dropped, neither success nor failure for a breaker (it counted as the
   * upstream's failure). A protocol that waits on the exchange is told here too (a subscription's later messages
   * wait for its subscribe: its upstream was never closed).
   */
  default void left(Exchange<C> exchange) {
    exchange.drop(false);
  }

  /** Sends the exchange upstream with the verdict's modifiers (bandwidth, field faults, message plan) and {@link Exchange#cut()}. */
  void forward(Exchange<C> exchange);

  /** Answers a call whose upstream could not be reached (HTTP 502 or its equivalent), naming {@code upstream}. */
  void upstreamDown(C call, String upstream, Throwable cause);

  /** Answers a call whose upstream did not answer in time (HTTP 504 or its equivalent), naming {@code upstream}. */
  void upstreamTooSlow(C call, String upstream, Throwable cause);

  /** Answers a failed upstream call as {@link #upstreamTooSlow} or {@link #upstreamDown}, as {@link UpstreamFailures} classifies it. */
  default void upstreamFailed(C call, String upstream, Throwable cause) {
    if (UpstreamFailures.tooSlow(cause)) {
      upstreamTooSlow(call, upstream, cause);
    } else {
      upstreamDown(call, upstream, cause);
    }
  }
}
