package io.faultline.protocol.grpc;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.streams.ReadStream;
import io.vertx.grpc.client.GrpcClientResponse;

/**
 * An upstream's answer as {@link ResponseRelay} pauses and resumes it, its end checked before each resume.
 *
 * <p>An answer whose end arrives while the relay holds it paused (a per-message delay, a bandwidth limit, a slow
 * client) is decoded once it resumes, in a task of the event loop's, outside any handler: a {@code grpc-status}
 * that is not a number then made Vert.x's client throw where no one hears of it (Netty logs it as a warning), and
 * the call hung. Read first, it is replaced by UNKNOWN ({@link MalformedAnswer#replaceWordStatus}), which the
 * answer's end then relays as any status, after the messages before it.
 */
final class CheckedUpstream implements ReadStream<Buffer> {

  private final GrpcClientResponse<Buffer, Buffer> answer;
  /** The HTTP/2 answer {@link #answer} is read from. */
  private final HttpClientResponse http;
  private final String upstream;

  CheckedUpstream(GrpcClientResponse<Buffer, Buffer> answer, HttpClientResponse http, String upstream) {
    this.answer = answer;
    this.http = http;
    this.upstream = upstream;
  }

  @Override
  public ReadStream<Buffer> pause() {
    answer.pause();
    return this;
  }

  @Override
  public ReadStream<Buffer> resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public ReadStream<Buffer> fetch(long amount) {
    MalformedAnswer.replaceWordStatus(answer, http, upstream);
    answer.fetch(amount);
    return this;
  }

  @Override
  public ReadStream<Buffer> handler(Handler<Buffer> handler) {
    answer.handler(handler);
    return this;
  }

  @Override
  public ReadStream<Buffer> endHandler(Handler<Void> handler) {
    answer.endHandler(handler);
    return this;
  }

  @Override
  public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    answer.exceptionHandler(handler);
    return this;
  }
}
