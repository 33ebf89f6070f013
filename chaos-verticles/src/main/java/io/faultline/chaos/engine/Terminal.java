package io.faultline.chaos.engine;

import io.faultline.chaos.config.GrpcCodes;

/**
 * A decision that ends an exchange instead of letting it complete normally. Every protocol answers each
 * kind in its own terms through a {@link Visitor} (its translator), so a new kind does not compile until
 * every protocol says what it looks like there.
 */
public sealed interface Terminal extends Decision permits Terminal.HttpError, Terminal.RateLimited, Terminal.BreakerOpen,
    Terminal.BulkheadFull, Terminal.Status, Terminal.Timeout, Terminal.Reset, Terminal.Cut, Terminal.GraphQlError {

  /** What each kind of terminal decision does to an exchange {@code X} of one protocol. */
  interface Visitor<X> {

    void httpError(X exchange, HttpError error);

    void rateLimited(X exchange, RateLimited limited);

    void breakerOpen(X exchange, BreakerOpen open);

    void bulkheadFull(X exchange, BulkheadFull full);

    void status(X exchange, Status status);

    void timeout(X exchange, Timeout timeout);

    void reset(X exchange, Reset reset);

    void cut(X exchange, Cut cut);

    void graphQlError(X exchange, GraphQlError error);
  }

  /** Calls the {@code visitor} method for this kind. */
  <X> void applyTo(Visitor<X> visitor, X exchange);

  /** The HTTP status this decision answers with, for protocols that answer every refusal with one (0: none). */
  int httpStatus();

  /**
   * True when the gateway answers a client error (4xx) itself, or refuses the exchange on its own account (a full
   * bulkhead): it says nothing about the upstream's health, so a circuit breaker ignores the exchange.
   */
  default boolean clientError() {
    return false;
  }

  @Override
  default Stage stage() {
    return Stage.ACT;
  }

  @Override
  default <T> void accept(Decision.Visitor<T> visitor, T target) {
    visitor.terminal(target, this);
  }

  /** Answer with HTTP {@code status} without calling the upstream. */
  record HttpError(String type, int status) implements Terminal {

    @Override
    public <X> void applyTo(Visitor<X> visitor, X exchange) {
      visitor.httpError(exchange, this);
    }

    @Override
    public int httpStatus() {
      return status;
    }

    @Override
    public boolean clientError() {
      return status < 500;
    }
  }

  /**
   * Refuse the exchange for going over a rate limit (429), saying when to retry: {@code retryAfterMillis}, until
   * the bucket that refused it has a token again (at least 1).
   */
  record RateLimited(String type, long retryAfterMillis) implements Terminal {

    /** {@link #retryAfterMillis} in whole seconds, rounded up, as HTTP's {@code Retry-After} takes it (at least 1). */
    public long retryAfterSeconds() {
      return Math.max(1, (retryAfterMillis + 999) / 1000);
    }

    @Override
    public <X> void applyTo(Visitor<X> visitor, X exchange) {
      visitor.rateLimited(exchange, this);
    }

    @Override
    public int httpStatus() {
      return 429;
    }

    @Override
    public boolean clientError() {
      return true;
    }
  }

  /** Refuse the exchange because the simulated circuit breaker is open (503). */
  record BreakerOpen(String type) implements Terminal {

    @Override
    public <X> void applyTo(Visitor<X> visitor, X exchange) {
      visitor.breakerOpen(exchange, this);
    }

    @Override
    public int httpStatus() {
      return 503;
    }
  }

  /** Refuse the exchange because the simulated bulkhead has no permit and no room in its queue (503). */
  record BulkheadFull(String type) implements Terminal {

    @Override
    public <X> void applyTo(Visitor<X> visitor, X exchange) {
      visitor.bulkheadFull(exchange, this);
    }

    @Override
    public int httpStatus() {
      return 503;
    }

    /**
     * A 503, but the gateway's own refusal: it says nothing of the upstream, so a breaker ignores it, as it does a rate
     * limit's 429 (HTTP counted it a failure, and opened the breaker on a healthy upstream; gRPC and GraphQL, whose
     * refusal is no 5xx, a success, which closed a half-open breaker whose probe never went through).
     */
    @Override
    public boolean clientError() {
      return true;
    }
  }

  /**
   * Answer with the protocol status {@code code} (a gRPC status name) and {@code message}; protocols
   * without such statuses answer the HTTP status it maps to ({@link GrpcCodes#httpStatus}).
   */
  record Status(String type, String code, String message) implements Terminal {

    @Override
    public <X> void applyTo(Visitor<X> visitor, X exchange) {
      visitor.status(exchange, this);
    }

    @Override
    public int httpStatus() {
      return GrpcCodes.httpStatus(code);
    }

    /** As the HTTP status it maps to (RESOURCE_EXHAUSTED: 429): a client error counted as a success by a breaker. */
    @Override
    public boolean clientError() {
      int status = httpStatus();
      return status >= 400 && status < 500;
    }
  }

  /** Hold the exchange {@code ms} without answering, then close the connection. */
  record Timeout(String type, long ms) implements Terminal {

    @Override
    public <X> void applyTo(Visitor<X> visitor, X exchange) {
      visitor.timeout(exchange, this);
    }

    @Override
    public int httpStatus() {
      return 0;
    }
  }

  /** Close the client connection at once with no response. */
  record Reset(String type) implements Terminal {

    @Override
    public <X> void applyTo(Visitor<X> visitor, X exchange) {
      visitor.reset(exchange, this);
    }

    @Override
    public int httpStatus() {
      return 0;
    }
  }

  /** Forward, then send the status, headers and {@code fraction} of the response body, and close the connection. */
  record Cut(String type, double fraction) implements Terminal {

    @Override
    public <X> void applyTo(Visitor<X> visitor, X exchange) {
      visitor.cut(exchange, this);
    }

    @Override
    public int httpStatus() {
      return 0;
    }
  }

  /** Answer a GraphQL operation with an {@code errors} array ({@code message}, {@code extensions.code}) and HTTP {@code status}. */
  record GraphQlError(String type, String message, String code, int status) implements Terminal {

    @Override
    public <X> void applyTo(Visitor<X> visitor, X exchange) {
      visitor.graphQlError(exchange, this);
    }

    @Override
    public int httpStatus() {
      return status;
    }
  }
}
