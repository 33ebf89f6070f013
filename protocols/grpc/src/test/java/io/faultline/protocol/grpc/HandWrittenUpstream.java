package io.faultline.protocol.grpc;

import io.faultline.chaos.testing.Upstreams;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/**
 * A {@code test.Echo} upstream written frame by frame on a plain HTTP/2 server, for answers a gRPC server never
 * sends: a status in its headers and then messages, a {@code grpc-status} that is not a number, a compressed message
 * without {@code grpc-encoding}, no {@code grpc-status} at all, an HTTP status other than 200, a reset before any
 * answer. Each method's answer is the frames it sends: HEADERS, DATA, then trailers (HEADERS ending the stream).
 */
final class HandWrittenUpstream {

  private HandWrittenUpstream() {
  }

  /** Starts it on {@code vertx}, on a port of its own; answers {@code 127.0.0.1:PORT}. */
  static String start(Vertx vertx) {
    int port = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(Upstreams.portToListenOn()))
        .requestHandler(request -> request.body().onComplete(read -> answer(vertx, request, request.response(), read.result())))
        .listen().await().actualPort();
    return "127.0.0.1:" + port;
  }

  private static void answer(Vertx vertx, HttpServerRequest request, HttpServerResponse response, Buffer body) {
    String method = request.path().substring(request.path().lastIndexOf('/') + 1);
    if (method.startsWith("Reset")) { // Reset8: the call reset before any answer, with that HTTP/2 code
      response.reset(Long.parseLong(method.substring("Reset".length())));
      return;
    }
    if (method.startsWith("Http")) { // Http404: that HTTP status, with a body that is not gRPC
      response.setStatusCode(Integer.parseInt(method.substring("Http".length()))).putHeader("content-type", "text/plain")
          .end("not here");
      return;
    }
    if (method.equals("Typed")) { // two messages, in the content type the request's x-answer-type names
      response.putHeader("content-type", request.getHeader("x-answer-type"))
          .write(message(0, Buffer.buffer("m0")).appendBuffer(message(0, Buffer.buffer("m1"))));
      response.trailers().set("grpc-status", "0");
      response.end();
      return;
    }
    if (method.equals("AsSent")) { // the messages sent back as they came, in the content type they came in (+thrift, ...)
      response.putHeader("content-type", request.getHeader("content-type")).write(body);
      response.trailers().set("grpc-status", "0");
      response.end();
      return;
    }
    response.putHeader("content-type", "application/grpc");
    if (method.startsWith("Many")) { // Many100: that many messages ("m0", "m1", ...), each in a write (a DATA frame) of its own
      for (int i = 0, n = Integer.parseInt(method.substring("Many".length())); i < n; i++) {
        response.write(message(0, Buffer.buffer("m" + i)));
      }
      response.trailers().set("grpc-status", "0");
      response.end();
      return;
    }
    switch (method) {
      case "Ok" -> {
        response.write(message(0, Buffer.buffer("fine")));
        response.trailers().set("grpc-status", "0");
      }
      case "LateWordStatus" -> { // its head at once, its message and a status that is not a number 300 ms later
        response.writeHead();
        vertx.setTimer(300, id -> {
          response.write(message(0, Buffer.buffer("late")));
          response.trailers().set("grpc-status", "abc");
          response.end();
        });
        return;
      }
      case "StatusThenMessage" -> { // a trailers-only answer's head, but the stream goes on
        response.putHeader("grpc-status", "3").putHeader("grpc-message", "in-headers");
        response.write(message(0, Buffer.buffer("after")));
        response.trailers().set("grpc-status", "0");
      }
      case "WordStatus" -> {
        response.write(message(0, Buffer.buffer("first")));
        response.trailers().set("grpc-status", "abc").set("grpc-message", "weird");
      }
      case "WordStatusOnly" -> response.putHeader("grpc-status", "abc").putHeader("grpc-message", "weird");
      case "CompressedWithoutEncoding" -> {
        response.write(message(1, gzip("zipped")));
        response.trailers().set("grpc-status", "0");
      }
      case "HeadOnlyNoStatus" -> { // one HEADERS frame ending the stream, with no grpc-status
      }
      case "MessageNoStatus" -> response.write(message(0, Buffer.buffer("first"))); // then the end, with no trailers
      case "Html" -> response.putHeader("content-type", "text/html").write("<html>hi</html>"); // status 200
      case "StrictTimeout" -> { // as grpc-go reads grpc-timeout: one it cannot read fails the call
        String timeout = request.getHeader("grpc-timeout");
        if (timeout != null && !timeout.matches("[0-9]{1,8}[HMSmun]")) {
          response.putHeader("grpc-status", "13").putHeader("grpc-message", "malformed grpc-timeout: " + timeout);
        } else {
          response.write(message(0, Buffer.buffer("timeout " + timeout)));
          response.trailers().set("grpc-status", "0");
        }
      }
      default -> response.putHeader("grpc-status", "12");
    }
    response.end();
  }

  private static Buffer message(int flag, Buffer payload) {
    return Buffer.buffer().appendByte((byte) flag).appendInt(payload.length()).appendBuffer(payload);
  }

  private static Buffer gzip(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
      zip.write(text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Buffer.buffer(out.toByteArray());
  }
}
