package io.faultline.chaos.listener;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import java.util.Iterator;
import java.util.Map;

/**
 * What every HTTP-based listener refuses before routing, as RFC 9112 asks: a request with more than one
 * {@code Host} header (§3.2: 400), and a body whose framing breaks (a bad chunk size, §7.1), which is
 * answered 400 when no answer has started rather than closed silently ({@link Http1Guard}).
 */
public final class RequestChecks {

  private RequestChecks() {
  }

  /** {@code handler} behind the checks. */
  public static Handler<HttpServerRequest> guard(Handler<HttpServerRequest> handler) {
    return request -> {
      if (request.version() != HttpVersion.HTTP_2 && hostCount(request) > 1) {
        refuse(request, "a request may carry one Host header (RFC 9112 section 3.2), this one has more");
        return;
      }
      handler.handle(request);
    };
  }

  /** Counts Host headers without building a list on the common path (one header). */
  private static int hostCount(HttpServerRequest request) {
    int count = 0;
    Iterator<Map.Entry<String, String>> headers = request.headers().iterator();
    while (headers.hasNext() && count < 2) {
      if (headers.next().getKey().equalsIgnoreCase("host")) {
        count++;
      }
    }
    return count;
  }

  private static void refuse(HttpServerRequest request, String error) {
    request.response().setStatusCode(400)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CONNECTION, "close")
        .end(new JsonObject().put("error", error).encode())
        .onComplete(v -> request.connection().close());
  }
}
