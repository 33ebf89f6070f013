package io.faultline.chaos.listener;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import java.util.Iterator;
import java.util.Map;

/**
 * What every HTTP-based listener refuses before routing, as RFC 9112 asks: a request with more than one
 * {@code Host} header (§3.2: 400), and a body whose framing breaks (a bad chunk size, §7.1), which is
 * answered 400 when no answer has started rather than closed silently ({@link #guardFraming}).
 */
public final class RequestChecks {

  private RequestChecks() {
  }

  /** {@code handler} behind the checks. */
  public static Handler<HttpServerRequest> guard(Handler<HttpServerRequest> handler) {
    return request -> {
      if (request.version() != HttpVersion.HTTP_2 && hostCount(request) > 1) {
        refuse(request, "a request may carry one Host header (RFC 9112 section 3.2), this one has more");
        return;
      }
      handler.handle(request);
    };
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

  private static void refuse(HttpServerRequest request, String error) {
    request.response().setStatusCode(400)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CONNECTION, "close")
        .end(new JsonObject().put("error", error).encode())
        .onComplete(v -> request.connection().close());
  }

  /**
   * Answers a request whose body cannot be decoded (a bad chunk size, §7.1) with a 400 before the connection
   * closes. Vert.x fails the whole connection on such a body, before any handler of ours could answer, so this
   * sits in the connection's Netty pipeline just before Vert.x's own handler (as {@link AbruptClose} does)
   * and only speaks when no response has started on the connection.
   */
  public static void guardFraming(io.vertx.core.http.HttpConnection connection) {
    if (connection instanceof io.vertx.core.net.impl.ConnectionBase base && base.channel().pipeline().get("handler") != null
        && base.channel().pipeline().get("httpDecoder") != null) {
      base.channel().pipeline().addBefore("handler", "faultline-framing", new FramingGuard());
    }
  }

  /** See {@link #guardFraming}. */
  private static final class FramingGuard extends io.netty.channel.ChannelDuplexHandler {

    private boolean responding;

    @Override
    public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) throws Exception {
      if (!responding && msg instanceof io.netty.handler.codec.http.HttpContent content && content.decoderResult().isFailure()) {
        io.netty.util.ReferenceCountUtil.release(msg);
        byte[] body = new JsonObject().put("error", "the request body is malformed (RFC 9112 section 7.1): "
            + content.decoderResult().cause().getMessage()).encode().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        var response = new io.netty.handler.codec.http.DefaultFullHttpResponse(io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
            io.netty.handler.codec.http.HttpResponseStatus.BAD_REQUEST, io.netty.buffer.Unpooled.wrappedBuffer(body));
        response.headers().set("content-type", "application/json").set("content-length", body.length).set("connection", "close");
        ctx.writeAndFlush(response).addListener(io.netty.channel.ChannelFutureListener.CLOSE);
        return;
      }
      super.channelRead(ctx, msg);
    }

    @Override
    public void write(io.netty.channel.ChannelHandlerContext ctx, Object msg, io.netty.channel.ChannelPromise promise) throws Exception {
      if (msg instanceof io.netty.handler.codec.http.HttpResponse) {
        responding = true;
      }
      if (msg instanceof io.netty.handler.codec.http.LastHttpContent) {
        responding = false;
      }
      super.write(ctx, msg, promise);
    }
  }
}
