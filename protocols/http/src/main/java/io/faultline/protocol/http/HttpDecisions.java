package io.faultline.protocol.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.MediaType;
import io.vertx.httpproxy.ProxyRequest;
import io.vertx.httpproxy.ProxyResponse;

/**
 * The one place HTTP answers are made for chaos decisions and proxy failures: a JSON body saying what
 * happened, and {@code X-Faultline-Fault} naming an injected fault so clients and logs can tell
 * injected failures from real ones.
 */
final class HttpDecisions {

  static final String FAULT_HEADER = "X-Faultline-Fault";

  private static final MediaType JSON = MediaType.parse("application/json");

  private HttpDecisions() {
  }

  /** The response for an injected fault of {@code type} answered with {@code status}; {@code retryAfterSeconds > 0} adds Retry-After. */
  static ProxyResponse fault(ProxyRequest request, String type, int status, String message, long retryAfterSeconds) {
    JsonObject body = new JsonObject()
        .put("error", message)
        .put("fault", type)
        .put("status", status);
    ProxyResponse response = json(request, status, body).putHeader(FAULT_HEADER, type);
    if (retryAfterSeconds > 0) {
      response.putHeader("Retry-After", Long.toString(retryAfterSeconds));
    }
    return response;
  }

  /** The response when the upstream could not be reached (502) or did not answer in time (504). */
  static ProxyResponse upstreamFailure(ProxyRequest request, int status, String upstream, Throwable cause) {
    return json(request, status, upstreamFailure(status, upstream, cause));
  }

  /** The same answer, sent on the plain-proxy path ({@link PlainForward}). */
  static void upstreamFailure(HttpServerResponse response, int status, String upstream, Throwable cause) {
    response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(upstreamFailure(status, upstream, cause).encode());
  }

  private static JsonObject upstreamFailure(int status, String upstream, Throwable cause) {
    String what = status == 504 ? "upstream timed out" : "upstream unavailable";
    return new JsonObject()
        .put("error", what + ": " + upstream)
        .put("upstream", upstream)
        .put("status", status)
        .put("cause", String.valueOf(cause.getMessage()));
  }

  /**
   * Lets go of {@code request}'s body, which will not be sent upstream. Once it has been read whole (an
   * upstream that failed after the request went), an HTTP/2 request refuses to be resumed ("Request has
   * already been read"): that answered an HTTP/2 client nothing at all.
   */
  static void release(ProxyRequest request) {
    if (request.proxiedRequest().isEnded()) {
      request.setBody(null);
    } else {
      request.release();
    }
  }

  /** The response when no route matches and the listener has no default upstream. */
  static ProxyResponse noRoute(ProxyRequest request) {
    return json(request, 404, new JsonObject().put("error", "no route matches " + request.getMethod() + " " + request.getURI()));
  }

  private static ProxyResponse json(ProxyRequest request, int status, JsonObject body) {
    release(request);
    // a HEAD's answer has no body: Vert.x drops it over HTTP/1, but over HTTP/2 sends it as DATA, which curl and Go's
    // client refuse as a protocol error
    boolean bodiless = request.getMethod() == io.vertx.core.http.HttpMethod.HEAD
        && request.proxiedRequest().version() == io.vertx.core.http.HttpVersion.HTTP_2;
    return request.response()
        .setStatusCode(status)
        .setBody(Body.body(bodiless ? Buffer.buffer() : Buffer.buffer(body.encode()), JSON));
  }
}
