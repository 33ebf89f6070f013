package io.faultline.chaos.listener;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;

/**
 * How a relayed answer whose length the upstream did not give is framed for the client: in chunks, or for an HTTP/1.0
 * client (HTTP/1.0 has no chunks) ended by the connection's close, as nginx does.
 */
public final class AnswerFraming {

  private AnswerFraming() {
  }

  /**
   * Frames {@code response}, whose length is unknown: chunked; for an HTTP/1.0 client, sent as it comes and ended by
   * the connection's close (RFC 9112 6.3), which is closed after it even when the client asked to keep it alive (Vert.x
   * would otherwise promise a kept-alive connection, and the client could not tell where the body ends). Answers
   * whether it goes in chunks.
   */
  public static boolean unknownLength(HttpServerRequest request, HttpServerResponse response) {
    return unknownLength(request, response, null);
  }

  /**
   * {@link #unknownLength(HttpServerRequest, HttpServerResponse)} for a response that has a head-end handler, {@code
   * headEnd}: Vert.x keeps one, and the close's own replaces it, so it runs {@code headEnd} first.
   */
  public static boolean unknownLength(HttpServerRequest request, HttpServerResponse response, Handler<Void> headEnd) {
    if (request.version() != HttpVersion.HTTP_1_0) {
      response.setChunked(true);
      return true;
    }
    if (bodiless(request, response.getStatusCode())) {
      return false; // its end is its head's (RFC 9112 6.3): a connection kept alive stays so
    }
    if (request.headers().contains(HttpHeaders.CONNECTION, HttpHeaders.KEEP_ALIVE, true)) { // as Vert.x reads it: every line
      response.headersEndHandler(v -> {
        if (headEnd != null) {
          headEnd.handle(null);
        }
        response.headers().set(HttpHeaders.CONNECTION, "close"); // Vert.x said keep-alive just before
      });
      RequestChecks.closeAfterAnswer(request); // its end is the connection's
    } // not kept alive: Vert.x closes it after the answer
    return false;
  }

  /**
   * Whether an answer of {@code status} to {@code request} has no body whatever its headers say: to a HEAD, a 204, a 304
   * (RFC 9112 6.3), a 205 (RFC 9110 15.3.6: no content; Vert.x and Netty give it a length of 0).
   */
  private static boolean bodiless(HttpServerRequest request, int status) {
    return request.method() == HttpMethod.HEAD || status == 204 || status == 205 || status == 304;
  }

  /**
   * Whether {@code response}'s head can go out before its body: it says its length or is chunked. An HTTP/1.0 answer
   * whose end is the connection's close cannot (Vert.x refuses it): its head goes with its first bytes.
   */
  public static boolean headCanGoFirst(HttpServerResponse response) {
    return response.isChunked() || response.headers().contains(HttpHeaders.CONTENT_LENGTH);
  }

  /** Whether {@code response}'s head can go out now, alone: not yet written, its connection open, and {@link #headCanGoFirst}. */
  public static boolean headCanGoNow(HttpServerResponse response) {
    return !response.headWritten() && !response.closed() && headCanGoFirst(response);
  }
}
