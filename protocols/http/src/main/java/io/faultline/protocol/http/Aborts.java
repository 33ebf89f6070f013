package io.faultline.protocol.http;

import io.faultline.chaos.listener.AbruptClose;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.streams.ReadStream;

/**
 * An answer broken off mid-way must look broken to the client. Over HTTP/1.x that is the connection
 * closing before the body's end; over HTTP/2 it is the stream's reset with an error code. Vert.x's
 * {@code reset()} sends {@code NO_ERROR}, which clients (curl, browsers) take for a complete answer when
 * the data before it looked whole: a truncated body passed as a good one. So this listener's resets carry
 * {@code INTERNAL_ERROR}, as nginx's do when its upstream fails mid-body.
 */
final class Aborts {

  /** HTTP/2's INTERNAL_ERROR (RFC 9113 7); HTTP/1.x ignores the code and closes the connection. */
  static final long INTERNAL_ERROR = AbruptClose.INTERNAL_ERROR;

  private Aborts() {
  }

  /**
   * Marks {@code call}'s answer broken off on the upstream's side, if its client is still there and {@code cause}
   * is the upstream's. A stream reset is not: the upstream client speaks HTTP/1.1, where a reset is only ever the
   * gateway's own, for a client that reset its HTTP/2 stream (its answer is not closed yet while the reset is
   * handed on, and the client's leaving counted as the upstream's failure, opening breakers).
   */
  static void brokeOff(HttpCall call, Throwable cause) {
    if (!(cause instanceof io.vertx.core.http.StreamResetException) && !call.request.response().closed()) {
      call.brokenOff = true;
    }
  }

  /** Breaks {@code response} off: the stream reset with an error (HTTP/2), or the connection closed (HTTP/1.x). */
  static void abort(HttpServerResponse response) {
    response.reset(INTERNAL_ERROR);
  }

  /**
   * {@code call}'s upstream answer {@code body}, which breaks the client's answer off with an error as soon
   * as it fails, after the answer's head if it has not gone yet (an upstream that sent its head and closed):
   * the proxy's own reaction to a failed body (a reset with {@code NO_ERROR}) then finds the stream reset
   * already. The call is marked {@link HttpCall#brokenOff} unless its client had left first (the upstream's
   * failure is then the echo of the proxy resetting it).
   */
  static ReadStream<Buffer> loud(ReadStream<Buffer> body, HttpCall call) {
    HttpServerResponse response = call.request.response();
    return new BodyStream(body) {
      @Override
      public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
        body.exceptionHandler(handler == null ? null : e -> {
          brokeOff(call, e);
          if (io.faultline.chaos.listener.AnswerFraming.headCanGoNow(response)) { // not an HTTP/1.0 head without a length: Vert.x throws
            // the head first, as the upstream sent it; the reset and the proxy's reaction once it has gone
            response.writeHead().onComplete(written -> {
              abort(response);
              handler.handle(e);
            });
            return;
          }
          abort(response);
          handler.handle(e);
        });
        return this;
      }
    };
  }
}
