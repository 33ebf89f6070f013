package io.faultline.chaos.listener;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.impl.HttpClientConnectionInternal;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Deque;
import java.util.concurrent.TimeUnit;

/**
 * What an upstream's answers go through between Netty's HTTP decoder and Vert.x on every HTTP/1.x connection to
 * an upstream, where Vert.x's client falls short of a proxy's needs; one handler, so one hop for each message read.
 *
 * <p><b>Interim answers Vert.x does not know.</b> It knows 100 and 103 only, and takes any other
 * ({@code 102 Processing}, {@code 104}) for the final answer: the client got a 102 and waited, and the real answer
 * that followed stayed on the connection, which went back to the pool and gave it to the next request sent on it,
 * another client's. Answers crossed between clients. nginx passes such answers over, and so does this handler:
 * the exchange goes on to the final answer as if the interim one had not been sent.
 *
 * <p><b>An answer kept whole when the upstream closes right after it</b>, while the gateway still holds part of it
 * back (a bandwidth limit, or a client reading slowly): an HTTP/1.0 server, {@code Connection: close}, or a
 * keep-alive timeout that starts when the upstream has written its answer (Node's 5 s), not when the gateway has
 * read it. Vert.x's HTTP/1.x client keeps what it read for a paused answer in its connection, and when the
 * connection then closes it fails the answer without passing that on (Vert.x 5.0.7,
 * {@code Http1xClientConnection.handleClosed}): a download throttled to 1 MB/s from such an upstream broke off
 * after 0.9 of its 2 MB, every time. So the close is held back while an answer the decoder passed whole has not
 * been taken by Vert.x yet, and passed on once it has: the answer ends as sent, then the connection closes. An
 * answer the upstream broke off (the close before its end) still fails at once, and so does a request sent on the
 * connection since its last answer: that answer was taken, so what Vert.x waits for is the new one, which will
 * never come.
 */
final class UpstreamAnswers extends ChannelDuplexHandler {

  static final String NAME = "faultline-upstream-answers";
  /** The longest wait between two looks at whether Vert.x has taken the answer. */
  private static final long MAX_WAIT_MS = 16;

  /** The answers Vert.x has begun and not ended, oldest first: the only record of what it has not read. */
  private static final VarHandle RESPONSES;
  /** Vert.x's HTTP/1.x client connection, whose field that is (package-private). */
  private static final Class<?> HTTP1;

  static {
    try {
      HTTP1 = Class.forName("io.vertx.core.http.impl.Http1xClientConnection");
      RESPONSES = MethodHandles.privateLookupIn(HTTP1, MethodHandles.lookup()).findVarHandle(HTTP1, "responses", Deque.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The connection whose unread answers a close waits for (null: not Vert.x's HTTP/1.x one, nothing is held). */
  private final HttpClientConnectionInternal http1;
  private boolean skipping;
  private boolean whole;
  private boolean held;

  private UpstreamAnswers(HttpClientConnectionInternal connection) {
    this.http1 = HTTP1.isInstance(connection) ? connection : null;
  }

  /** Installs the handler right after an HTTP/1.x upstream connection's decoder (not on other kinds), once. */
  static void install(HttpClientConnectionInternal connection) {
    ChannelPipeline pipeline = connection.channelHandlerContext().pipeline();
    if (pipeline.get(UpstreamPipeline.CODEC) != null && pipeline.get(NAME) == null) {
      pipeline.addAfter(UpstreamPipeline.CODEC, NAME, new UpstreamAnswers(connection));
    }
  }

  /** An informational status Vert.x takes for a final one: every 1xx but 100 Continue, 101 Switching Protocols and 103 Early Hints. */
  static boolean unknownInterim(int status) {
    return status >= 102 && status < 200 && status != 103;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpResponse response && unknownInterim(response.status().code())) {
      skipping = !(msg instanceof LastHttpContent); // the decoder ends an answer without a body with an empty last part
      ReferenceCountUtil.release(msg);
      return;
    }
    if (skipping && msg instanceof LastHttpContent) {
      skipping = false;
      ReferenceCountUtil.release(msg);
      return;
    }
    whole = msg instanceof LastHttpContent;
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpRequest) {
      // a request on a kept-alive connection: the answer read whole before it was the last one's (Vert.x sends
      // no request before the last answer has ended), and a close from now on breaks the new one off. Left set,
      // a close after the upstream read the request was held until the route's deadline (a 504 for a 502),
      // and one before it went out for ever (no deadline had started).
      whole = false;
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (whole && unread()) {
      held = true;
      waitForVertx(ctx, 1);
    } else {
      ctx.fireChannelInactive();
    }
  }

  /** Vert.x still has an answer it has not ended: its end is in what it has read and not passed on. */
  private boolean unread() {
    return http1 != null && !((Deque<?>) RESPONSES.get(http1)).isEmpty();
  }

  private void waitForVertx(ChannelHandlerContext ctx, long waitMs) {
    ctx.executor().schedule(() -> {
      if (unread()) {
        waitForVertx(ctx, Math.min(MAX_WAIT_MS, waitMs * 2));
      } else {
        ctx.fireChannelInactive();
      }
    }, waitMs, TimeUnit.MILLISECONDS);
  }
}
