package io.faultline.chaos.listener;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;

/**
 * The answer to an HTTP/1 request whose head a server could not read (a server's invalid-request handler):
 * 414 for a request line over the server's limit, 431 for headers over it, 400 for anything else, each
 * with an {@code {"error"}} body saying which (Vert.x's own answers have no body), and the connection
 * closed, as what follows the head cannot be told apart.
 */
public final class UnreadableHeads {

  private UnreadableHeads() {
  }

  /**
   * The handler for a server whose limits are {@code maxLineBytes} and {@code maxHeaderBytes}; {@code reader}
   * names it in the errors ("the admin API"), and {@code mark} adds the server's own headers to the answer.
   */
  public static Handler<HttpServerRequest> answer(String reader, int maxLineBytes, int maxHeaderBytes, Consumer<HttpServerResponse> mark) {
    return request -> {
      Throwable cause = request.decoderResult().cause();
      int status = 400;
      String error = "malformed request head (RFC 9112): " + (cause == null ? "unreadable" : cause.getMessage());
      if (cause instanceof TooLongHttpLineException) {
        status = 414;
        error = "request line too long: " + reader + " reads at most " + maxLineBytes + " bytes of it";
      } else if (cause instanceof TooLongHttpHeaderException) {
        status = 431;
        error = "request headers too large: " + reader + " reads at most " + maxHeaderBytes + " bytes of them";
      }
      HttpServerResponse response = request.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .putHeader(HttpHeaders.CONNECTION, "close");
      mark.accept(response);
      response.end(new JsonObject().put("error", error).encode()).onComplete(v -> request.connection().close());
    };
  }
}
