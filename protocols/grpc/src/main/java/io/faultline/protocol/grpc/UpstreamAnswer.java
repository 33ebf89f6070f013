package io.faultline.protocol.grpc;

import io.faultline.chaos.exchange.Translator;
import io.faultline.chaos.exchange.UpstreamFailures;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.client.impl.GrpcClientRequestImpl;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;

/**
 * The start of an upstream's answer to a decoded call, read from its HTTP/2 stream as the pass-through path reads
 * it, so that a call chaos touches gets the errors it would get untouched ({@link GrpcPassThrough}).
 *
 * <p>Vert.x's gRPC client says less than the stream: a reset before the answer is a gRPC status mapped from the
 * reset's code (INTERNAL, CANCELLED, RESOURCE_EXHAUSTED ...), where the pass-through path says UNAVAILABLE naming
 * the upstream; an HTTP status other than 200 is not read at all (a 404 was "Invalid HTTP response content-type
 * header", UNAVAILABLE, where gRPC clients read UNIMPLEMENTED); and a trailers-only answer whose status is not a
 * number loses its message. So the decoded call is made on an HTTP/2 stream the relay opens and keeps.
 */
final class UpstreamAnswer {

  /** HTTP/2 CANCEL. */
  private static final long CANCEL = 0x8;

  private UpstreamAnswer() {
  }

  /** The gRPC call on upstream stream {@code stream}, as Vert.x's {@code GrpcClient} makes one, raw frames each way. */
  static GrpcClientRequest<Buffer, Buffer> grpcCall(HttpClientRequest stream) {
    stream.response().onSuccess(UpstreamAnswer::readable); // before the gRPC call's own look at the head: made next
    GrpcClientRequestImpl<Buffer, Buffer> call = new GrpcClientRequestImpl<>(stream, GrpcProxyVerticle.MAX_MESSAGE_BYTES,
        false, GrpcMessageEncoder.IDENTITY, GrpcMessageDecoder.IDENTITY);
    call.init();
    return call;
  }

  /**
   * Answers {@code call} when the start of its upstream answer ({@code answered}, on {@code stream}) is not one to
   * relay message by message, as the pass-through path answers it: the stream failed before its head (UNAVAILABLE, or
   * DEADLINE_EXCEEDED when too slow), the answer is not gRPC ({@link MalformedAnswer#notGrpc}), or its head's
   * {@code grpc-status} is not a number (UNKNOWN). False when the answer is to be relayed.
   */
  static boolean answeredInstead(GrpcCall call, HttpClientRequest stream, GrpcClientRequest<Buffer, Buffer> outgoing,
      AsyncResult<GrpcClientResponse<Buffer, Buffer>> answered, Translator<GrpcCall> translator) {
    Future<HttpClientResponse> head = stream.response(); // complete: the gRPC answer is made from it
    if (head.failed()) {
      translator.upstreamFailed(call, call.upstream(), UpstreamFailures.shown(head.cause()));
      return true;
    }
    HttpClientResponse in = head.result();
    String headStatus = in.getHeader("grpc-status");
    MalformedAnswer.Answer instead = headStatus != null ? null
        : MalformedAnswer.notGrpc(call.upstream(), in.statusCode(), in.getHeader(HttpHeaders.CONTENT_TYPE));
    if (instead == null && answered.failed() && headStatus != null && !MalformedAnswer.isStatusCode(headStatus)) {
      // Vert.x's client refused the head on it (NumberFormatException): UNKNOWN, as grpc-java reads it
      instead = new MalformedAnswer.Answer(GrpcStatus.UNKNOWN,
          MalformedAnswer.wordStatus(call.upstream(), headStatus, in.getHeader("grpc-message")));
    }
    if (instead != null) {
      in.exceptionHandler(e -> { }); // the reset is ours (or Vert.x's): not worth a SEVERE "Stream reset" log of an unheard one
      GrpcRelay.end(call, instead.status(), instead.message(), null);
      cancel(stream, outgoing);
      return true;
    }
    if (answered.failed()) { // nothing the head shows: as any failure of the upstream's
      translator.upstreamFailed(call, call.upstream(), UpstreamFailures.shown(answered.cause()));
      cancel(stream, outgoing);
      return true;
    }
    return false;
  }

  /**
   * Makes the answer's gRPC content type one Vert.x's gRPC client reads: it takes {@code application/grpc}, {@code +proto}
   * and {@code +json} written so exactly, and failed the call (UNAVAILABLE "Invalid HTTP response content-type header")
   * on {@code application/grpc; charset=utf-8} or {@code Application/grpc}, which gRPC servers send and the pass-through
   * path relays: a call chaos touched failed where it passed untouched. The client hears the content type of its own
   * call's format, not this one ({@link ResponseRelay}).
   */
  private static void readable(HttpClientResponse in) {
    String type = in.getHeader(HttpHeaders.CONTENT_TYPE);
    if (type == null || !MalformedAnswer.isGrpc(type)) {
      return; // not gRPC: answered as such (MalformedAnswer.notGrpc)
    }
    int parameters = type.indexOf(';');
    String plain = (parameters < 0 ? type : type.substring(0, parameters)).strip().toLowerCase(java.util.Locale.ROOT);
    if (!plain.equals(type)) {
      in.headers().set(HttpHeaders.CONTENT_TYPE, plain);
    }
  }

  /** Cancels the upstream call: its stream too, which {@code cancel()} leaves once Vert.x's client has refused the answer. */
  static void cancel(HttpClientRequest stream, GrpcClientRequest<Buffer, Buffer> outgoing) {
    outgoing.cancel();
    stream.reset(CANCEL);
  }
}
