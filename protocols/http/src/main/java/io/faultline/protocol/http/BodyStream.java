package io.faultline.protocol.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * A proxied body passed on as it is, for a wrapper to change one thing of ({@link Aborts#loud}: how it
 * fails; {@link Trailers#atEnd}: what its end does first).
 */
class BodyStream implements ReadStream<Buffer> {

  final ReadStream<Buffer> body;

  BodyStream(ReadStream<Buffer> body) {
    this.body = body;
  }

  @Override
  public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    body.exceptionHandler(handler);
    return this;
  }

  @Override
  public ReadStream<Buffer> handler(Handler<Buffer> handler) {
    body.handler(handler);
    return this;
  }

  @Override
  public ReadStream<Buffer> pause() {
    body.pause();
    return this;
  }

  @Override
  public ReadStream<Buffer> resume() {
    body.resume();
    return this;
  }

  @Override
  public ReadStream<Buffer> fetch(long amount) {
    body.fetch(amount);
    return this;
  }

  @Override
  public ReadStream<Buffer> endHandler(Handler<Void> handler) {
    body.endHandler(handler);
    return this;
  }
}
