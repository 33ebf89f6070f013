package io.faultline.protocol.grpc;

import io.faultline.chaos.engine.MessageFault;
import io.faultline.chaos.engine.MessagePlan;
import io.faultline.chaos.engine.Terminal;
import io.faultline.chaos.exchange.Exchange;
import io.faultline.chaos.listener.AbruptClose;
import io.faultline.chaos.shaping.Pacer;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.streams.ReadStream;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServerResponse;
import java.util.Locale;
import java.util.Set;

/**
 * The upstream's answer to one call, relayed to the client: headers, frames, status, message and
 * trailers, with the exchange's per-message chaos applied to the frames: paced at the bandwidth limit,
 * each held {@code per_message_delay_ms}, ended UNAVAILABLE after at most one message when cut, or ended
 * with {@code abort_status} after {@code abort_after_messages}. An answer Vert.x's client cannot decode (it
 * throws: {@link DecodingFailures}) is answered with what the upstream did wrong.
 */
final class ResponseRelay {

  private static final Set<String> NOT_RELAYED_RESPONSE = Set.of("content-type", "grpc-encoding",
      "grpc-accept-encoding", "grpc-status", "grpc-message", "content-length", "connection", "transfer-encoding");

  private final Vertx vertx;
  private final GrpcCall call;
  private final GrpcClientRequest<Buffer, Buffer> outgoing;
  private final GrpcClientResponse<Buffer, Buffer> incoming;
  /** The HTTP/2 answer {@link #incoming} is read from: its resets, as they came. */
  private final HttpClientResponse http;
  private final GrpcServerResponse<Buffer, Buffer> response;
  private final Terminal.Cut cut;
  private final MessageFault.AbortAfter abort;
  private final long messageDelayMs;
  private final java.util.function.BooleanSupplier chaosOn;
  private final Pacer pacer;
  private final Exchange<GrpcCall> exchange;
  private final Context context;
  private final DecodingFailures failures;
  /** {@link #incoming} as the relay pauses and resumes it. */
  private final ReadStream<Buffer> upstream;
  private MessageBatch batch;
  /** The answer's encoding as its client gets it ({@link #offered}). */
  private String encoding;
  private boolean failed;
  private int relayed;

  /**
   * {@code exchange} is null when chaos left the call untouched; {@code context} is the upstream call's own
   * ({@link DecodingFailures#onOwnContext}).
   */
  ResponseRelay(Vertx vertx, GrpcCall call, GrpcClientRequest<Buffer, Buffer> outgoing, GrpcClientResponse<Buffer, Buffer> incoming,
      HttpClientResponse http, Exchange<GrpcCall> exchange, Context context, DecodingFailures failures) {
    this.vertx = vertx;
    this.context = context;
    this.failures = failures;
    this.call = call;
    this.outgoing = outgoing;
    this.incoming = incoming;
    this.http = http;
    this.upstream = new CheckedUpstream(incoming, http, call.upstream());
    this.response = call.request().response();
    this.exchange = exchange;
    MessagePlan plan = exchange == null ? MessagePlan.NONE : exchange.verdict().messages();
    long bps = exchange == null ? 0 : exchange.verdict().throttleBps();
    // not once the kill switch came (the answer begins after it): not cut, not counted, no fault header
    this.cut = exchange == null || !exchange.chaosOn() ? null : exchange.cutting();
    this.abort = plan.abort();
    this.messageDelayMs = plan.delayMs();
    this.chaosOn = exchange == null ? () -> false : exchange::chaosOn;
    this.pacer = bps > 0 ? exchange.pacer(bps) : null;
  }

  /** The stream is cut after this many messages, or aborted after this many: none when {@link Integer#MAX_VALUE}. */
  private int cutAfter;
  private int abortAfter;

  /**
   * The kill switch came before the cut or the abort: neither comes, and the stream's messages go on (a delay already
   * asks {@link #chaosOn} for each message). Chaos switched on again does not bring them back: the call was released.
   */
  private void released() {
    cutAfter = Integer.MAX_VALUE;
    abortAfter = Integer.MAX_VALUE;
  }

  void start() {
    if (call.finished()) {
      outgoing.cancel();
      return;
    }
    failures.watch(context, this);
    call.http().response().bodyEndHandler(v -> failures.forget(context));
    call.onClose(() -> failures.forget(context));
    incoming.headers().forEach(h -> {
      if (!NOT_RELAYED_RESPONSE.contains(h.getKey().toLowerCase(Locale.ROOT))) {
        response.headers().add(h.getKey(), h.getValue());
      }
    });
    // the answer's messages are in the format the upstream says, which may not be the call's (grpc-java answers a
    // +json call as application/grpc): Vert.x's response refuses a message of another format than its own, a refusal
    // no one heard (the client had the head, no message, and status 0)
    // (a trailers-only answer may have no content type, so no format: the call's stays)
    if (incoming.format() != null && incoming.format() != call.request().format()) {
      response.format(incoming.format());
    }
    encoding = offered(call.request().headers().get("grpc-accept-encoding"), incoming.encoding());
    if (encoding != null) {
      response.encoding(encoding);
    }
    if (cut != null) {
      response.headers().set(GrpcDecisions.FAULT_HEADER, cut.type());
    }
    if (incoming.status() == null) {
      response.writeHead();
    }
    cutAfter = cut == null ? Integer.MAX_VALUE : cut.fraction() >= 0.5 ? 1 : 0;
    abortAfter = abort == null ? Integer.MAX_VALUE : abort.messages();
    if (!chaosOn.getAsBoolean()) {
      released(); // the kill switch came before the answer began
    }
    if (cutAfter == 0) {
      dropStream();
      return;
    }
    if (cutAfter == Integer.MAX_VALUE && abortAfter == Integer.MAX_VALUE && messageDelayMs <= 0 && pacer == null
        && incoming.status() == null) {
      relayPlainly();
      return;
    }
    incoming.messageHandler(message -> {
      if (relayed >= cutAfter || relayed >= abortAfter) {
        return;
      }
      if (!chaosOn.getAsBoolean()) {
        released(); // the kill switch: the stream goes on as if chaos had never touched it
      }
      // the delay is asked of the exchange each time: once chaos is off (the kill switch) messages go at once
      long delayMs = messageDelayMs > 0 && chaosOn.getAsBoolean() ? messageDelayMs : 0;
      // a message goes when its last byte would, counted at the rate from the end of its delay
      long waitMs = pacer == null ? delayMs : pacer.wholeDelayMs(message.payload().length(), delayMs);
      boolean cutAfterIt = ++relayed >= cutAfter;
      boolean abortAfterIt = !cutAfterIt && relayed == abortAfter;
      // a cut or an abort comes after the message it follows, held or not (a cut reset the stream at once,
      // before the message a delay or a bandwidth limit held)
      // (answers whether the stream goes on: not when the kill switch came while the message was held)
      java.util.function.BooleanSupplier relayIt = () -> {
        GrpcRelay.relay(message, response, upstream);
        if ((cutAfterIt || abortAfterIt) && !chaosOn.getAsBoolean()) {
          released(); // switched off while the message was held: neither the cut nor the abort comes
          return true;
        }
        if (cutAfterIt) {
          dropStream();
        } else if (abortAfterIt) {
          int after = abortAfter;
          // what comes in the millisecond before waits for it: dropped, it was lost when the kill switch released the
          // stream then (its end too: the call hung)
          upstream.pause();
          vertx.setTimer(1, id -> abortStream(after));
        }
        return !cutAfterIt && !abortAfterIt;
      };
      if (waitMs <= 0) {
        relayIt.getAsBoolean();
      } else {
        upstream.pause();
        HeldMessage.release(vertx, waitMs, chaosOn, call::finished, () -> { // the kill switch lets a held message go at once
          if (relayIt.getAsBoolean() && !response.writeQueueFull()) {
            upstream.resume();
          }
        });
      }
    });
    breaksWithTheUpstream();
    incoming.endHandler(v -> {
      if (relayed >= cutAfter || relayed >= abortAfter) {
        return;
      }
      if (cut != null && chaosOn.getAsBoolean()) {
        // the answer ended before the message the cut comes after (a status alone, an empty stream): it is
        // lost at its end, so the call the fault is counted for fails, as the client sees it
        dropStream();
        return;
      }
      relayEnd();
    });
  }

  /**
   * Ends the call with {@code abort_status}, after its {@code abortAfter}th message: the call answered first
   * (cancelling the upstream first reset the client's stream, as its error handler cancels a response not
   * ended, so the client saw CANCELLED, never abort_status), said in the trailers (the head went long ago), and
   * counted only now: a stream that ended before its Nth message was never aborted.
   */
  private void abortStream(int abortAfter) {
    if (!chaosOn.getAsBoolean()) {
      released(); // the kill switch came in the millisecond before: the stream goes on
      upstream.resume();
      return;
    }
    if (call.finished()) {
      return; // cancelled, or ended by its deadline, before its Nth message went: not aborted, not counted
    }
    exchange.injected(abort.type());
    response.trailers().set(GrpcDecisions.FAULT_HEADER, abort.type());
    GrpcRelay.end(call, GrpcStatus.valueOf(abort.code()), "stream aborted after " + abortAfter + " messages (injected by Faultline)", null);
    outgoing.cancel();
  }

  /**
   * The encoding the client gets an answer in: the upstream's, when the client offered it (its
   * {@code grpc-accept-encoding}), else identity, vertx-grpc decompressing each message. Vert.x's gRPC client, which
   * makes the upstream call here, offers gzip whatever the client said, so an upstream compressing when offered sent
   * gzip to clients that cannot read it (a grpc-go client without the gzip package fails the call).
   */
  private static String offered(String clientAccepts, String upstreamEncoding) {
    if (upstreamEncoding == null || upstreamEncoding.equals("identity")) {
      return upstreamEncoding;
    }
    for (String accepted : clientAccepts == null ? new String[0] : clientAccepts.split(",")) {
      if (accepted.trim().equalsIgnoreCase(upstreamEncoding)) {
        return upstreamEncoding;
      }
    }
    return "identity";
  }

  /** No per-message chaos: the messages go out in batches ({@link MessageBatch}), then the status and trailers. */
  private void relayPlainly() {
    batch = new MessageBatch(vertx.getOrCreateContext(), response, call.http().response(), encoding, upstream);
    incoming.messageHandler(batch::add);
    breaksWithTheUpstream();
    incoming.endHandler(v -> {
      batch.flush();
      relayEnd();
    });
  }

  /**
   * The upstream's stream broke off mid-call (reset, or its connection lost): the client's is reset with
   * INTERNAL_ERROR, as on the pass-through path and through nginx. A CANCEL told the client it had cancelled
   * the call itself; a lost connection, reported only as an exception, left the client waiting. Not when the
   * client left first: cancelling the upstream call for it fails the answer before the response is marked
   * closed, and a cancel mid-answer counted as the upstream's failure for a circuit breaker. A reset with NO_ERROR
   * breaks nothing ({@link NoErrorReset}).
   */
  private void breaksWithTheUpstream() {
    Runnable broken = () -> {
      if (!call.finished()) {
        call.upstreamBroke();
        call.http().response().reset(AbruptClose.INTERNAL_ERROR);
      }
    };
    incoming.errorHandler(error -> broken.run());
    incoming.exceptionHandler(error -> broken.run());
    // vertx-grpc reads every reset as an error, NO_ERROR too (INTERNAL), on the answer and on the request (both hear
    // it): its handlers give way to one telling them apart
    http.exceptionHandler(error -> {
      if (!NoErrorReset.is(error)) {
        broken.run();
      }
    });
    // A request sent whole (a unary call's, mostly) takes no handler (Vert.x throws): its stream's resets reach the answer's
    if (!(outgoing instanceof io.vertx.grpc.common.impl.GrpcWriteStreamBase<?, ?> sent && sent.isTrailersSent())) {
      // as vertx-grpc's did, only resets: it passed the request's other errors to a handler the relay never set, and an
      // answer whose end was in but held (a delay, a slow client) stood when the connection closed after it
      try {
        http.request().exceptionHandler(error -> {
          if (error instanceof io.vertx.core.http.StreamResetException && !NoErrorReset.is(error)) {
            broken.run();
          }
        });
      } catch (IllegalStateException ended) {
        // ended another way (cancelled): the answer's handler hears its stream
      }
    }
  }

  private void relayEnd() {
    incoming.trailers().forEach(t -> {
      String key = t.getKey().toLowerCase(Locale.ROOT);
      if (!key.equals("grpc-status") && !key.equals("grpc-message")) {
        response.trailers().add(t.getKey(), t.getValue());
      }
    });
    // no grpc-status at all: Vert.x's client reads it as UNKNOWN, but clients reading it relayed untouched as INTERNAL
    boolean none = incoming.trailers().get("grpc-status") == null && incoming.headers().get("grpc-status") == null;
    GrpcStatus status = none ? GrpcStatus.INTERNAL : incoming.status() == null ? GrpcStatus.UNKNOWN : incoming.status();
    response.status(status);
    String raw = incoming.trailers().get("grpc-message");
    if (raw == null) {
      raw = incoming.headers().get("grpc-message"); // a trailers-only answer
    }
    if (none) {
      GrpcRelay.statusMessage(response, status, MalformedAnswer.noStatus(call.upstream()));
    } else if (raw != null && status != GrpcStatus.OK) {
      response.trailers().set("grpc-message", raw); // as the upstream encoded it, not decoded and encoded again
    } else {
      GrpcRelay.statusMessage(response, status, incoming.statusMessage());
    }
    if (!call.http().response().ended()) {
      response.end();
    }
  }

  /**
   * Loses the stream: the head (a trailers-only answer's too) and what went before it, then UNAVAILABLE in the
   * trailers, as a call whose connection went; the upstream call is cancelled. Not a reset: grpc-go takes a
   * REFUSED_STREAM for a call never processed even after its head, and retries it unseen (the upstream had each
   * cut call twice, and a probability of 0.5 failed a quarter of the calls); a reset with no head is read so by
   * grpc-js and grpc-java too; and another code reads as INTERNAL or CANCELLED, not as a lost connection.
   */
  private void dropStream() {
    call.cutByChaos();
    if (!call.http().response().headWritten()) {
      response.writeHead();
    }
    vertx.runOnContext(v -> {
      GrpcRelay.end(call, GrpcStatus.UNAVAILABLE, "stream cut (" + cut.type() + ", injected by Faultline)", null);
      outgoing.cancel();
    });
  }

  /**
   * Vert.x's client threw while it decoded this call's answer ({@link DecodingFailures}): the client is answered at
   * once with what the upstream did wrong ({@link MalformedAnswer#of}; the messages before it go first), and the
   * upstream call is cancelled. False when the throw is to be logged as before: the call is over, or its answer
   * shows nothing wrong (then it is answered INTERNAL all the same, as the relay cannot go on).
   */
  boolean decodingFailed(Throwable failure) {
    if (failed) {
      return true; // the answer's end, read with the message that failed it, fails again
    }
    if (call.finished()) {
      return false;
    }
    failed = true;
    MalformedAnswer.Answer answer = MalformedAnswer.of(incoming, failure, call.upstream());
    if (batch != null) {
      batch.flush();
    }
    if (answer != null) {
      GrpcRelay.end(call, answer.status(), answer.message(), null);
    } else {
      GrpcRelay.end(call, GrpcStatus.INTERNAL, MalformedAnswer.unreadable(call.upstream(), failure), null);
    }
    outgoing.cancel();
    return answer != null;
  }
}
