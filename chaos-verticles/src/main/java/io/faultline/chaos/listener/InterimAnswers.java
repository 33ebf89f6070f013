package io.faultline.chaos.listener;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.impl.HttpClientConnectionInternal;

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

  private boolean skipping;

  private InterimAnswers() {
  }

  /** Has an HTTP/1.x upstream connection pass over interim answers Vert.x does not know (a no-op for other kinds). */
  static void install(HttpClientConnectionInternal connection) {
    ChannelPipeline pipeline = connection.channelHandlerContext().pipeline();
    if (pipeline.get(UpstreamPipeline.CODEC) != null && pipeline.get(NAME) == null) {
      pipeline.addAfter(UpstreamPipeline.CODEC, NAME, new InterimAnswers());
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
