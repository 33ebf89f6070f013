package io.faultline.protocol.grpc;

import io.faultline.chaos.listener.UpstreamClients;
import io.faultline.chaos.config.Upstream;
import io.faultline.chaos.exchange.UpstreamFailures;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * A call chaos leaves untouched, relayed as its HTTP/2 stream: headers, the DATA bytes as they arrive
 * (messages are not decoded and re-framed), then the upstream's trailers, as nginx's {@code grpc_pass}
 * does. Decoding every message into a gRPC call and framing it again cost each relayed message a dispatch
 * and a copy each way. The call's deadline ({@code grpc-timeout}) and status travel in its headers and
 * trailers, and the gateway keeps the deadline too: when it passes first, the upstream stream is cancelled
 * and the client answered DEADLINE_EXCEEDED, as on the decoded path (an upstream that ignores deadlines
 * must not hold the call). An upstream that cannot be reached is answered UNAVAILABLE (DEADLINE_EXCEEDED
 * when it was too slow) naming it; an answer that is not gRPC, or ends without a status, is answered as the decoded
 * path answers it ({@link MalformedAnswer}), looked at once per call, at its head and its end.
 */
final class GrpcPassThrough {

  /** HTTP/2 CANCEL: what a stream gets when the other side of its call went away. */
  private static final long CANCEL = 0x8;
  /**
   * HTTP/2 INTERNAL_ERROR: what a client's stream gets when the upstream's broke off mid-call (nginx's
   * {@code grpc_pass} does the same; clients read it as INTERNAL). CANCEL told the client it had cancelled
   * the call itself, which retry policies and dashboards take for the caller giving up.
   */
  private static final long INTERNAL_ERROR = 0x2;

  private static final String[] NOT_PASSED = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade",
      "host", "content-length", "te"};

  private final Vertx vertx;
  private final Function<Upstream, HttpClient> clients;

  /** {@code clients} gives the HTTP/2 client for an upstream: prior-knowledge h2c, or TLS with ALPN. */
  GrpcPassThrough(Vertx vertx, Function<Upstream, HttpClient> clients) {
    this.vertx = vertx;
    this.clients = clients;
  }

  /**
   * True for a native gRPC call over HTTP/2 (not gRPC-Web, not transcoded JSON): the calls relayed as streams.
   * {@code contentType} is the request's, read once by the caller (it asks {@link #chaosCanAct} of it too).
   */
  static boolean takes(HttpServerRequest request, String contentType) {
    return request.version() == HttpVersion.HTTP_2 && request.method() == HttpMethod.POST && MalformedAnswer.isGrpc(contentType);
  }

  /**
   * Whether chaos can act on a call in {@code contentType}: its path reads the call through Vert.x's gRPC server and
   * client, which take {@code application/grpc}, {@code +proto} and {@code +json} only (a {@code +thrift} call, or one
   * with parameters, was refused with a bare HTTP 415 there). Others pass untouched, as with chaos off.
   */
  static boolean chaosCanAct(String contentType) {
    return contentType.equals("application/grpc") || contentType.equals("application/grpc+proto")
        || contentType.equals("application/grpc+json");
  }

  void relay(GrpcCall call) {
    HttpServerRequest http = call.http();
    http.pause();
    long deadlineMs = timeoutMs(http.getHeader("grpc-timeout"));
    if (deadlineMs > 0) {
      long timer = vertx.setTimer(deadlineMs, id -> deadlineExceeded(call));
      http.response().bodyEndHandler(v -> vertx.cancelTimer(timer)); // its endHandler is the relay's, which counts the call
      // and when the stream closes unanswered (the client cancelled): the timer kept the call, both streams and
      // their buffers until the client's deadline
      call.onClose(() -> vertx.cancelTimer(timer));
    }
    // a call with a deadline of its own is bounded by it (the timer above); one without, by the route's timeout_ms,
    // from now: an upstream that takes no stream (it never sends its settings, or its streams are all busy) held it for ever
    long timeoutMs = call.route().timeoutMs();
    long headTimer = deadlineMs > 0 ? -1 : vertx.setTimer(timeoutMs, id -> {
      failed(call, new TimeoutException("no answer within the route's timeout_ms, " + timeoutMs + " ms"));
      if (call.upstreamStream() != null) {
        call.upstreamStream().reset(CANCEL);
      }
    });
    Upstream target = call.route().upstream();
    clients.apply(target).request(new RequestOptions().setMethod(HttpMethod.POST).setHost(target.host()).setPort(target.port())
        .setURI(http.uri())).onComplete(opened -> {
          if (opened.failed()) {
            vertx.cancelTimer(headTimer);
            failed(call, opened.cause());
          } else {
            send(call, UpstreamClients.named(opened.result(), target), headTimer);
          }
        });
  }

  private void send(GrpcCall call, HttpClientRequest out, long headTimer) {
    HttpServerRequest http = call.http();
    if (call.finished()) { // its timeout_ms passed while it waited for the stream, or its client left
      vertx.cancelTimer(headTimer);
      out.reset(CANCEL);
      return;
    }
    MultiMap headers = out.headers();
    for (Map.Entry<String, String> header : http.headers()) {
      if (!notPassed(header.getKey())) {
        headers.add(header.getKey(), header.getValue());
      }
    }
    headers.set("te", "trailers");
    out.setChunked(true);
    out.response().onComplete(answered -> {
      vertx.cancelTimer(headTimer);
      if (answered.failed()) {
        failed(call, answered.cause());
      } else {
        respond(call, answered.result());
      }
    });
    // a reset (or a lost connection) before the answer's head fails only the request, not its response
    out.exceptionHandler(e -> {
      vertx.cancelTimer(headTimer);
      if (!NoErrorReset.is(e) || !out.response().isComplete()) { // after the answer's head, the answer's own handler sees to it
        failed(call, e);
      }
    });
    call.onClose(() -> {
      vertx.cancelTimer(headTimer);
      out.reset(CANCEL);
    });
    call.upstreamStream(out);
    TurnBatch upload = new TurnBatch(vertx.getOrCreateContext(), out, () -> false, http);
    http.handler(upload::add);
    http.endHandler(v -> upload.end());
    http.exceptionHandler(e -> {
      call.left();
      out.reset(CANCEL);
    });
    http.resume();
  }

  private void respond(GrpcCall call, HttpClientResponse in) {
    HttpServerResponse response = call.http().response();
    if (response.closed()) {
      in.request().reset(CANCEL);
      return;
    }
    String headStatus = in.getHeader("grpc-status");
    MalformedAnswer.Answer notGrpc = headStatus != null ? null
        : MalformedAnswer.notGrpc(call.upstream(), in.statusCode(), in.getHeader(HttpHeaders.CONTENT_TYPE));
    if (notGrpc != null) {
      // answered here, as the decoded path answers it: relayed, clients mapped the HTTP status alike but named no
      // upstream (and grpc-js read an HTML page with status 200 as a message 1.7 GB long)
      response.putHeader(HttpHeaders.CONTENT_TYPE, "application/grpc")
          .putHeader("grpc-status", Integer.toString(notGrpc.status().code))
          .putHeader("grpc-message", percentEncoded(notGrpc.message()))
          .end();
      in.exceptionHandler(e -> { }); // the reset is ours: not worth Vert.x's SEVERE "Stream reset" log of an unheard one
      in.request().reset(CANCEL);
      return;
    }
    response.setStatusCode(in.statusCode());
    for (Map.Entry<String, String> header : in.headers()) {
      if (!notPassed(header.getKey())) {
        response.headers().add(header.getKey(), header.getValue());
      }
    }
    response.setChunked(true);
    // the head goes now, as the upstream sent it: a client acting on initial metadata (a subscription's
    // "subscribed" headers) must not wait for the first message or the end of the call. Not a trailers-only
    // answer (its status in the head): that must stay one HEADERS frame ending the stream, which end() sends.
    if (headStatus == null) {
      response.writeHead();
    } else if (!MalformedAnswer.isStatusCode(headStatus)) {
      unknown(response.headers(), headStatus, in.getHeader("grpc-message"), call.upstream());
    }
    // the DATA frames one read of the upstream brings go out in one write (a streaming call's 100 small messages were
    // 100 writes through Vert.x's stream)
    TurnBatch batch = TurnBatch.toClient(vertx.getOrCreateContext(), response, in);
    call.answerBatch(batch);
    in.handler(chunk -> {
      if (response.closed() || response.ended()) {
        return;
      }
      batch.add(chunk);
    });
    in.exceptionHandler(e -> {
      if (!response.ended() && !NoErrorReset.is(e)) { // after NO_ERROR, the answer's end may still wait behind a pause
        response.reset(INTERNAL_ERROR);
      }
    });
    in.endHandler(v -> {
      if (response.ended() || response.closed()) {
        return;
      }
      for (Map.Entry<String, String> trailer : in.trailers()) {
        response.trailers().add(trailer.getKey(), trailer.getValue());
      }
      String status = in.getTrailer("grpc-status"); // not response.trailers(), which would make a trailers-only answer two HEADERS
      if (status == null && headStatus == null) {
        // as the decoded path answers it; clients read it as INTERNAL too, but in their own words, naming no upstream
        response.trailers().set("grpc-status", Integer.toString(GrpcStatus.INTERNAL.code))
            .set("grpc-message", percentEncoded(MalformedAnswer.noStatus(call.upstream())));
      } else if (status != null && !MalformedAnswer.isStatusCode(status)) {
        unknown(response.trailers(), status, in.getTrailer("grpc-message"), call.upstream());
      }
      batch.end(); // what came with the end goes in its last write
    });
  }

  /**
   * A {@code grpc-status} that is not a number goes as UNKNOWN, with a message saying what the upstream sent (its
   * own message after it), as the decoded path answers it: grpc-java reads it as UNKNOWN, but grpc-js read it as
   * status NaN and Vert.x's client never ended the call. Looked at once per call, at its status.
   */
  private static void unknown(MultiMap fields, String status, String rawMessage, String upstream) {
    fields.set("grpc-status", Integer.toString(GrpcStatus.UNKNOWN.code))
        .set("grpc-message", percentEncoded(MalformedAnswer.wordStatus(upstream, status, rawMessage)));
  }

  /**
   * Not passed on either way: pseudo-headers (each side makes its own), hop-by-hop fields, and the ones
   * Vert.x sets itself. Everything else, {@code grpc-timeout}, {@code grpc-encoding} and the call's
   * metadata included, goes as it came.
   */
  static boolean notPassed(String name) {
    if (name.startsWith(":")) {
      return true;
    }
    for (String field : NOT_PASSED) {
      if (field.length() == name.length() && field.equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The call's deadline passed before the upstream answered it whole: the upstream stream is cancelled and
   * the client gets DEADLINE_EXCEEDED, trailers-only or, when the upstream's head went out, as trailers.
   */
  private void deadlineExceeded(GrpcCall call) {
    HttpServerResponse response = call.http().response();
    if (response.ended() || response.closed()) {
      return;
    }
    String status = Integer.toString(GrpcStatus.DEADLINE_EXCEEDED.code);
    String message = percentEncoded("deadline exceeded waiting for upstream " + call.upstream());
    if (response.headWritten()) {
      if (call.answerBatch() != null) {
        call.answerBatch().flush(); // what came before the deadline goes before its status
      }
      response.trailers().set("grpc-status", status).set("grpc-message", message);
    } else {
      response.putHeader(HttpHeaders.CONTENT_TYPE, "application/grpc").putHeader("grpc-status", status)
          .putHeader("grpc-message", message);
    }
    response.end(); // before the upstream's reset, whose exception handler resets a client response not ended
    HttpClientRequest out = call.upstreamStream();
    if (out != null) {
      out.reset(CANCEL);
    }
  }

  /**
   * A {@code grpc-timeout} value (at most 8 digits and a unit: H, M, S, m, u, n) in milliseconds, rounded up;
   * 0 when there is none or it cannot be read (the call then has no deadline, as gRPC servers treat it).
   */
  static long timeoutMs(String value) {
    if (value == null || value.length() < 2 || value.length() > 9) {
      return 0;
    }
    long amount = 0;
    for (int i = 0; i < value.length() - 1; i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return 0;
      }
      amount = amount * 10 + (c - '0');
    }
    long ms = switch (value.charAt(value.length() - 1)) { // in milliseconds: 8 digits of hours in nanoseconds overflow a long
      case 'H' -> amount * 3_600_000L;
      case 'M' -> amount * 60_000L;
      case 'S' -> amount * 1_000L;
      case 'm' -> amount;
      case 'u' -> (amount + 999) / 1_000;
      case 'n' -> (amount + 999_999) / 1_000_000;
      default -> -1;
    };
    return ms < 0 ? 0 : Math.max(1, ms);
  }

  /** The upstream could not be reached, or failed before its answer began: a trailers-only answer naming it. */
  private void failed(GrpcCall call, Throwable failure) {
    Throwable cause = UpstreamFailures.shown(failure);
    HttpServerResponse response = call.http().response();
    if (!call.http().isEnded()) {
      call.http().resume(); // an HTTP/2 request read whole refuses resume() ("Request has already been read")
    }
    if (call.finished()) {
      return;
    }
    if (response.headWritten()) {
      response.reset(INTERNAL_ERROR);
      return;
    }
    boolean slow = UpstreamFailures.tooSlow(cause);
    GrpcStatus status = slow ? GrpcStatus.DEADLINE_EXCEEDED : GrpcStatus.UNAVAILABLE;
    String message = (slow ? "upstream timed out: " : "upstream unavailable: ") + call.upstream() + ": " + cause.getMessage();
    response.putHeader(HttpHeaders.CONTENT_TYPE, "application/grpc")
        .putHeader("grpc-status", Integer.toString(status.code))
        .putHeader("grpc-message", percentEncoded(message))
        .end();
  }

  /** A status message as gRPC carries it: UTF-8, bytes outside printable ASCII and {@code %} percent-encoded. */
  static String percentEncoded(String message) {
    StringBuilder out = new StringBuilder(message.length());
    for (byte b : message.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 0x20 && c <= 0x7e && c != '%') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }
}
