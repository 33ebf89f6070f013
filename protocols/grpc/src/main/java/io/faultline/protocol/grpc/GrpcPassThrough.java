package io.faultline.protocol.grpc;

import io.faultline.chaos.config.Upstream;
import io.faultline.chaos.exchange.UpstreamFailures;
import io.vertx.core.MultiMap;
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
import java.util.function.Function;

/**
 * A call chaos leaves untouched, relayed as its HTTP/2 stream: headers, the DATA bytes as they arrive
 * (messages are not decoded and re-framed), then the upstream's trailers, as nginx's {@code grpc_pass}
 * does. Decoding every message into a gRPC call and framing it again cost each relayed message a dispatch
 * and a copy each way. The call's deadline ({@code grpc-timeout}) and status travel in its headers and
 * trailers; an upstream that cannot be reached is answered UNAVAILABLE (DEADLINE_EXCEEDED when it was too
 * slow) naming it, as on the decoded path.
 */
final class GrpcPassThrough {

  /** HTTP/2 CANCEL: what a stream gets when the other side of its call went away. */
  private static final long CANCEL = 0x8;

  private static final String[] NOT_PASSED = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade",
      "host", "content-length", "te"};

  private final Function<Upstream, HttpClient> clients;

  /** {@code clients} gives the HTTP/2 client for an upstream: prior-knowledge h2c, or TLS with ALPN. */
  GrpcPassThrough(Function<Upstream, HttpClient> clients) {
    this.clients = clients;
  }

  /** True for a native gRPC call over HTTP/2 (not gRPC-Web, not transcoded JSON): the calls relayed as streams. */
  static boolean takes(HttpServerRequest request) {
    String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
    return request.version() == HttpVersion.HTTP_2 && request.method() == HttpMethod.POST && type != null
        && (type.equals("application/grpc") || type.startsWith("application/grpc+") || type.startsWith("application/grpc;"));
  }

  void relay(GrpcCall call) {
    HttpServerRequest http = call.http();
    http.pause();
    Upstream target = call.route().upstream();
    clients.apply(target).request(new RequestOptions().setMethod(HttpMethod.POST).setHost(target.host()).setPort(target.port())
        .setURI(http.uri())).onComplete(opened -> {
          if (opened.failed()) {
            failed(call, opened.cause());
          } else {
            send(call, opened.result());
          }
        });
  }

  private void send(GrpcCall call, HttpClientRequest out) {
    HttpServerRequest http = call.http();
    HttpServerResponse response = http.response();
    if (response.closed()) {
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
      if (answered.failed()) {
        failed(call, answered.cause());
      } else {
        respond(call, answered.result());
      }
    });
    response.closeHandler(v -> out.reset(CANCEL));
    http.handler(chunk -> {
      out.write(chunk);
      if (out.writeQueueFull()) {
        http.pause();
        out.drainHandler(v -> http.resume());
      }
    });
    http.endHandler(v -> out.end());
    http.exceptionHandler(e -> out.reset(CANCEL));
    http.resume();
  }

  private void respond(GrpcCall call, HttpClientResponse in) {
    HttpServerResponse response = call.http().response();
    if (response.closed()) {
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
    in.handler(chunk -> {
      if (response.closed()) {
        return;
      }
      response.write(chunk);
      if (response.writeQueueFull()) {
        in.pause();
        response.drainHandler(v -> in.resume());
      }
    });
    in.exceptionHandler(e -> {
      if (!response.ended()) {
        response.reset(CANCEL);
      }
    });
    in.endHandler(v -> {
      if (response.ended() || response.closed()) {
        return;
      }
      for (Map.Entry<String, String> trailer : in.trailers()) {
        response.trailers().add(trailer.getKey(), trailer.getValue());
      }
      response.end();
    });
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

  /** The upstream could not be reached, or failed before its answer began: a trailers-only answer naming it. */
  private void failed(GrpcCall call, Throwable cause) {
    HttpServerResponse response = call.http().response();
    call.http().resume();
    if (response.closed() || response.ended()) {
      return;
    }
    if (response.headWritten()) {
      response.reset(CANCEL);
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
