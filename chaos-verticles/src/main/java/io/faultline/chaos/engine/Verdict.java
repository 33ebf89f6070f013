package io.faultline.chaos.engine;

import io.faultline.chaos.limit.Bulkhead;
import io.faultline.chaos.limit.CircuitBreaker;
import io.vertx.core.Context;
import io.vertx.core.Future;

/**
 * Everything the engine decided for one request: wait for a bulkhead permit, delay, then either end
 * the request ({@link #terminal()}) or forward it, paced at {@link #throttleBps()}. The protocol calls
 * {@link #complete(boolean)} exactly once when the exchange ends, which releases the permit and feeds
 * the breaker. Used by one request on one event loop, so it is not thread-safe.
 */
public final class Verdict {

  /** Nothing to do: the shared, allocation-free answer when chaos is off or nothing applies. */
  public static final Verdict PASS = new Verdict();

  private long delayMs;
  private long messageDelayMs;
  private long throttleBps;
  private Decision terminal;
  private Decision.Messages messages;
  private java.util.List<Decision.FieldError> fieldErrors = java.util.List.of();
  private Bulkhead bulkhead;
  private CircuitBreaker breaker;
  private CircuitBreaker.Pass pass;
  private boolean holdsPermit;
  private boolean completed;

  Verdict() {
  }

  /** Adds one fault's decision; returns true when it ends the request and no further fault applies. */
  boolean add(Decision decision) {
    if (decision instanceof Decision.Delay d) {
      delayMs += d.ms();
    } else if (decision instanceof Decision.MessageDelay m) {
      messageDelayMs += m.ms();
    } else if (decision instanceof Decision.Throttle t) {
      throttleBps = throttleBps == 0 ? t.bytesPerSecond() : Math.min(throttleBps, t.bytesPerSecond());
    } else if (decision instanceof Decision.FieldFaults f) {
      delayMs += f.delayMs();
      fieldErrors = f.errors();
    } else if (decision instanceof Decision.Messages m) {
      messages = m;
    } else if (decision instanceof Decision.Admit a) {
      bulkhead = a.bulkhead();
    } else if (decision instanceof Decision.Observe o) {
      breaker = o.breaker();
      pass = o.pass();
    } else if (!(decision instanceof Decision.Pass)) {
      terminal = decision;
      return true;
    }
    return false;
  }

  public boolean isPass() {
    return this == PASS || delayMs == 0 && messageDelayMs == 0 && throttleBps == 0 && terminal == null && bulkhead == null
        && breaker == null && messages == null && fieldErrors.isEmpty();
  }

  public long delayMs() {
    return delayMs;
  }

  /** Extra delay before each response message of a stream (gRPC). */
  public long messageDelayMs() {
    return messageDelayMs;
  }

  /** GraphQL fields to null in the upstream's response, with their errors (empty for none). */
  public java.util.List<Decision.FieldError> fieldErrors() {
    return fieldErrors;
  }

  /** Per-message chaos for a message stream (WebSocket), or null. */
  public Decision.Messages messages() {
    return messages;
  }

  public long throttleBps() {
    return throttleBps;
  }

  /** The decision that ends the request ({@link Decision.Fail}, {@link Decision.Status}, {@link Decision.Timeout}, {@link Decision.Reset}, {@link Decision.Cut}, {@link Decision.Abort}), or null. */
  public Decision terminal() {
    return terminal;
  }

  /** Waits for a bulkhead permit when one is required; fails with {@link Bulkhead.Full} when refused. */
  public Future<Void> admit(Context context) {
    if (bulkhead == null) {
      return Future.succeededFuture();
    }
    return bulkhead.acquire(context).onSuccess(v -> {
      if (completed) {
        bulkhead.release();
      } else {
        holdsPermit = true;
      }
    });
  }

  /** Ends the request: {@code failed} is true for a 5xx answer or a lost connection. Later calls do nothing. */
  public boolean completed() {
    return completed;
  }

  public void complete(boolean failed) {
    if (completed || this == PASS) {
      return;
    }
    completed = true;
    if (holdsPermit) {
      holdsPermit = false;
      bulkhead.release();
    }
    if (breaker != null) {
      // A 4xx the gateway answered itself (rate limit, injected 429/404...) says nothing about the upstream's health.
      if (terminal instanceof Decision.Fail fail && fail.status() < 500) {
        breaker.onIgnored(pass);
      } else {
        breaker.onResult(pass, failed);
      }
    }
  }
}
