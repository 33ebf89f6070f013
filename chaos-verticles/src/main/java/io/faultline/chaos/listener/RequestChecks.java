package io.faultline.chaos.listener;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import java.util.Iterator;
import java.util.Map;

/**
 * What every HTTP-based listener refuses before routing, as RFC 9112 asks: a request with more than one
 * {@code Host} header, or an HTTP/1.1 one with none (§3.2: 400); a path that climbs above the root with
 * {@code ..} segments (400, as nginx: under a base path it would reach outside it); an HTTP/1.0 one with a
 * {@code Transfer-Encoding} (400, as nginx: §6.1, a body framed two ways smuggles a second request); and a body whose
 * framing breaks (a bad chunk size, §7.1), which is answered 400 when no answer has started rather than
 * closed silently ({@link Http1Guard}). A
 * {@code CONNECT} is refused (405): these listeners open no tunnels. And a {@code Connection: close}
 * listed with other tokens closes the connection after the answer, as it does alone.
 */
public final class RequestChecks {

  private RequestChecks() {
  }

  /** {@code handler} behind the checks. */
  public static Handler<HttpServerRequest> guard(Handler<HttpServerRequest> handler) {
    return request -> {
      int hosts = request.version() == HttpVersion.HTTP_2 ? 1 : hostCount(request);
      if (hosts > 1) {
        refuse(request, 400, "a request may carry one Host header (RFC 9112 section 3.2), this one has more");
        return;
      }
      if (hosts == 0 && request.version() == HttpVersion.HTTP_1_1) {
        refuse(request, 400, "an HTTP/1.1 request must carry a Host header (RFC 9112 section 3.2)");
        return;
      }
      if (request.version() == HttpVersion.HTTP_1_0 && request.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
        // HTTP/1.0 has no transfer codings (RFC 9112 section 6.1), and its parser keeps a Content-Length beside one: relayed
        // as HTTP/1.1, the upstream read the body to that length and the rest as another request, smuggled past routing and rules
        refuse(request, 400, "an HTTP/1.0 request cannot carry Transfer-Encoding (RFC 9112 section 6.1): send it as HTTP/1.1,"
            + " or with a Content-Length alone");
        return;
      }
      if (request.method() == HttpMethod.CONNECT) { // first: an HTTP/2 CONNECT has no path (it was never answered)
        refuse(request, 405, "CONNECT (a tunnel) is not relayed: this listener is a reverse proxy to its upstream;"
            + " for a raw TCP stream, use a tcp listener");
        return;
      }
      if (io.faultline.chaos.engine.MatchPath.climbsAboveRoot(path(request))) {
        refuse(request, 400, "the path climbs above the root with .. segments: " + path(request));
        return;
      }
      if (request.version() == HttpVersion.HTTP_1_1) {
        closeIfAsked(request);
      }
      handler.handle(request);
    };
  }

  /**
   * The path of {@code request}'s target, as its upstream is asked for it ({@link io.faultline.chaos.config.Upstream#originForm}):
   * what routes, rules and the checks read. Vert.x's, but for an absolute-form target with no path and a query
   * ({@code http://host?to=/admin}), whose path is {@code /} (RFC 3986 6.2.3) and which Vert.x reads from the query.
   */
  public static String path(HttpServerRequest request) {
    String uri = request.uri();
    if (uri == null) {
      return ""; // an HTTP/2 CONNECT's: it has no :path
    }
    if (uri.isEmpty() || uri.charAt(0) == '/') {
      return request.path();
    }
    String origin = io.faultline.chaos.config.Upstream.originForm(uri);
    int query = origin.indexOf('?');
    return query < 0 ? request.path() : origin.substring(0, query);
  }

  /**
   * {@code Connection: close} among other tokens ({@code close, X-Trace}): Vert.x keeps the connection
   * open unless the header is {@code close} alone, but the client asked for it to close after this answer
   * (RFC 9112 9.6), and may be reading until it does.
   */
  private static void closeIfAsked(HttpServerRequest request) {
    String connection = request.getHeader(HttpHeaders.CONNECTION);
    if (connection == null || connection.indexOf(',') < 0) {
      return; // none, or one token, which Vert.x reads itself
    }
    if (request.headers().contains(HttpHeaders.UPGRADE)) {
      return; // the connection goes on as a WebSocket's
    }
    for (String token : connection.split(",")) {
      if (token.trim().equalsIgnoreCase("close")) {
        request.response().putHeader(HttpHeaders.CONNECTION, "close");
        closeAfterAnswer(request);
        return;
      }
    }
  }

  /**
   * Closes {@code request}'s connection once its answer's last byte has gone out, however long a slow client takes
   * to read it. Vert.x's {@code shutdown()} closed it 30 s after being asked, cutting a longer answer short (one
   * whose end is the connection's close looked whole to its client).
   */
  public static void closeAfterAnswer(HttpServerRequest request) {
    request.response().bodyEndHandler(v -> {
      if (request.connection() instanceof io.vertx.core.net.impl.VertxConnection connection) {
        // written after the answer's end: done once everything before it is out
        connection.channel().writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER)
            .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
      } else {
        request.connection().close();
      }
    });
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

  /**
   * Answers {@code status} and closes an HTTP/1 connection after it. Over HTTP/2 the stream alone ends: HTTP/2 has no
   * {@code Connection} header (a client that got one reset the stream with PROTOCOL_ERROR, never seeing the answer), and
   * closing the connection cut every other request on it.
   */
  private static void refuse(HttpServerRequest request, int status, String error) {
    HttpServerResponse response = request.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    String body = new JsonObject().put("error", error).encode();
    if (request.version() == HttpVersion.HTTP_2) {
      response.end(body);
      return;
    }
    response.putHeader(HttpHeaders.CONNECTION, "close").end(body).onComplete(v -> request.connection().close());
  }
}
