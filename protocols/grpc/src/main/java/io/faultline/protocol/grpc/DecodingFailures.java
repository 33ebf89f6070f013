package io.faultline.protocol.grpc;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Where what Vert.x's gRPC client throws while it decodes an upstream's answer is caught, and the call that answer
 * belongs to is told ({@link ResponseRelay#decodingFailed}).
 *
 * <p>On some malformed answers (messages after a status in the headers, a {@code grpc-status} that is not a
 * number, a compressed message with no {@code grpc-encoding}) the client throws inside its own handlers of the
 * upstream's HTTP/2 stream: no exception handler of the stream or of the gRPC response hears of it, Vert.x reports
 * it to the context it dispatched on (which logged it as SEVERE), and the call was never answered, keeping its
 * bulkhead permit for ever. So each decoded call's upstream call is opened on a context of its own
 * ({@link #onOwnContext}), a duplicate of the event loop's, on which its stream's events are dispatched; the
 * verticle's context, which its duplicates report to, knows the call from the context current at the throw. (An
 * answer whose end waits while its stream is paused is decoded outside any handler: {@link CheckedUpstream}.)
 * Calls relayed as streams ({@link GrpcPassThrough}) never decode, and pay nothing for this.
 */
final class DecodingFailures {

  /** Where Vert.x logs a throw nobody handles: anything not a decoded call's is logged there as before. */
  private static final Logger UNHANDLED = Logger.getLogger("io.vertx.core.impl.ContextImpl");

  private final Vertx vertx;
  private final Map<Context, ResponseRelay> relays = new HashMap<>();

  /** Hears what is thrown and not handled on {@code context} (the verticle's event loop) and its duplicates. */
  DecodingFailures(Vertx vertx, Context context) {
    this.vertx = vertx;
    context.exceptionHandler(this::thrown);
  }

  /** Runs {@code open}, which opens an upstream call, on a context of its own, which that call's stream then uses. */
  void onOwnContext(Consumer<Context> open) {
    // a copy of the current one's locals (a trace's span): only the identity is new
    ContextInternal own = ((ContextInternal) vertx.getOrCreateContext()).duplicate(true);
    own.dispatch(v -> open.accept(own));
  }

  /** {@code relay} relays the answer of the upstream call opened on {@code context}, until {@link #forget}. */
  void watch(Context context, ResponseRelay relay) {
    relays.put(context, relay);
  }

  /**
   * The call is answered (or gone): its relay is forgotten in a moment, a task of the event loop's, since the rest
   * of an answer read in the same turn (its end, which Vert.x decodes again) may still throw.
   */
  void forget(Context context) {
    vertx.runOnContext(v -> relays.remove(context));
  }

  private void thrown(Throwable failure) {
    ResponseRelay relay = relays.get(Vertx.currentContext());
    if (relay == null || !relay.decodingFailed(failure)) {
      UNHANDLED.log(Level.SEVERE, "Unhandled exception", failure);
    }
  }
}
