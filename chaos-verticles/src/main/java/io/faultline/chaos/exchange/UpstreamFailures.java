package io.faultline.chaos.exchange;

import io.vertx.core.http.StreamResetException;
import java.util.concurrent.TimeoutException;

/**
 * Which of the two upstream failures a listener answers a failed upstream call with: too slow (it did
 * not answer within the route's timeout: Vert.x fails the call with a {@link TimeoutException}) or down
 * (everything else: refused, reset, unresolvable, TLS refused, or not even connected within the connect
 * timeout, which is a failure to reach it).
 */
public final class UpstreamFailures {

  private UpstreamFailures() {
  }

  /**
   * What to tell the client of {@code failure}: a route timeout resets the upstream request, and what it
   * says is in the reset's cause.
   */
  public static Throwable shown(Throwable failure) {
    return failure instanceof StreamResetException && failure.getCause() != null ? failure.getCause() : failure;
  }

  public static boolean tooSlow(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof TimeoutException) {
        return true;
      }
    }
    return false;
  }
}
