package io.faultline.chaos.listener;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpClientConnectionInternal;
import io.vertx.core.http.impl.UnpooledHttpClientConnection;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Passes over the informational answers (1xx) of an upstream that Vert.x's HTTP/1.x client does not know.
 * It knows 100 and 103 only, and takes any other ({@code 102 Processing}, {@code 104}) for the final
 * answer: the client got a 102 and waited, and the real answer that followed stayed on the connection,
 * which went back to the pool and gave it to the next request sent on it, another client's. Answers
 * crossed between clients. nginx passes such answers over, and so does this handler, between the HTTP
 * decoder and Vert.x: the exchange goes on to the final answer as if the interim one had not been sent.
 */
public final class InterimAnswers extends ChannelInboundHandlerAdapter {

  private static final String NAME = "faultline-interim-answers";
  /** The name Vert.x gives its HTTP/1.x client codec in a connection's pipeline. */
  private static final String CODEC = "codec";

  /**
   * The connection under the wrapper {@code HttpClientAgent.connect} gives: its pipeline is reached
   * through it (Vert.x offers no other way; the version is pinned, and the tests fail if this changes).
   */
  private static final VarHandle UNPOOLED_ACTUAL;

  static {
    try {
      UNPOOLED_ACTUAL = MethodHandles.privateLookupIn(UnpooledHttpClientConnection.class, MethodHandles.lookup())
          .findVarHandle(UnpooledHttpClientConnection.class, "actual", HttpClientConnectionInternal.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private boolean skipping;

  private InterimAnswers() {
  }

  /**
   * Has {@code connection}, an upstream connection of an HTTP client (pooled, or from {@code connect}), pass
   * over interim answers Vert.x does not know (HTTP/1.x only).
   */
  public static void skipUnknown(HttpConnection connection) {
    if (connection instanceof UnpooledHttpClientConnection unpooled) {
      connection = (HttpConnection) UNPOOLED_ACTUAL.get(unpooled);
    }
    if (connection instanceof HttpClientConnectionInternal internal) {
      ChannelPipeline pipeline = internal.channelHandlerContext().pipeline();
      if (pipeline.get(CODEC) != null && pipeline.get(NAME) == null) {
        pipeline.addAfter(CODEC, NAME, new InterimAnswers());
      }
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
    ctx.fireChannelRead(msg);
  }
}
