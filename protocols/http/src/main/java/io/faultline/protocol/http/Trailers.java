package io.faultline.protocol.http;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.streams.ReadStream;

/**
 * An upstream answer's trailers (a checksum, Server-Timing) passed on to the client where its answer can
 * carry them: HTTP/2, or a chunked HTTP/1.1 body. They were dropped, and over HTTP/2 the answer still said
 * {@code Trailer: ...}, announcing fields that never came. An answer that cannot carry them (a body of known
 * length on HTTP/1.x) loses its {@code Trailer} header with them.
 */
final class Trailers {

  private Trailers() {
  }

  /** Copies {@code upstream}'s trailers to {@code response} if it can carry them; call before it ends. */
  static void copy(HttpClientResponse upstream, HttpServerResponse response, boolean http2) {
    if (!(http2 || response.isChunked()) || !mayHave(upstream)) {
      return; // (asked for its trailers, a response makes a header map for them, every time)
    }
    MultiMap trailers = upstream.trailers();
    if (!trailers.isEmpty()) {
      response.trailers().addAll(trailers);
    }
  }

  /** Whether {@code upstream}'s answer can have trailers: an HTTP/2 one, or a chunked HTTP/1.1 body (else no stream is wrapped for them). */
  static boolean mayHave(HttpClientResponse upstream) {
    return upstream.version() == io.vertx.core.http.HttpVersion.HTTP_2
        || upstream.headers().contains(io.netty.handler.codec.http.HttpHeaderNames.TRANSFER_ENCODING);
  }

  /** Whether {@code response} can carry trailers; else its {@code Trailer} header promises what will not come. */
  static void dropPromiseUnlessCarried(HttpServerResponse response, boolean http2) {
    if (!http2 && !response.isChunked()) {
      response.headers().remove(io.netty.handler.codec.http.HttpHeaderNames.TRAILER);
    }
  }

  /** {@code body}, whose end first copies {@code upstream}'s trailers to {@code response} ({@link #copy}). */
  static ReadStream<Buffer> atEnd(ReadStream<Buffer> body, HttpClientResponse upstream, HttpServerResponse response, boolean http2) {
    return new BodyStream(body) {
      @Override
      public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
        body.endHandler(endHandler == null ? null : v -> {
          copy(upstream, response, http2);
          endHandler.handle(v);
        });
        return this;
      }
    };
  }
}
