package io.faultline.chaos.listener;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.impl.ConnectionBase;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Guards one HTTP/1 connection from inside its Netty pipeline, where Vert.x gives no hook (as
 * {@link AbruptClose} reaches below Vert.x's handler):
 * <pre>
 *   bytes ─► [first byte of a request: header deadline starts] ─► httpDecoder ─► [headers in: deadline off]
 *            ─► [undecodable body, no answer started: 400]  ─► Vert.x
 *   Vert.x ─► [last byte of an answer: keep-alive idle deadline starts] ─► socket
 * </pre>
 * A client gets {@code headerTimeoutMs} from a request's first byte to finish its headers, so slowloris
 * connections that trickle header bytes cannot pile up until the process runs out of descriptors; a
 * connection with no request in progress closes after {@code idleTimeoutMs}; a request in progress is never
 * cut (chaos may hold it for minutes). An upgraded connection (WebSocket, h2c) is left alone from its 101 on.
 * The first request of a connection comes before Vert.x shows the connection to its handler: its headers are
 * bounded by the read-idle timeout {@link ListenerServers} sets, which this guard then takes over from.
 */
final class Http1Guard {

  private final long headerTimeoutMs;
  private final long idleTimeoutMs;
  private boolean inRequest = true; // installed while the connection's first request is being handled
  private boolean responding;
  private boolean upgraded;
  private ScheduledFuture<?> deadline;

  private Http1Guard(long headerTimeoutMs, long idleTimeoutMs) {
    this.headerTimeoutMs = headerTimeoutMs;
    this.idleTimeoutMs = idleTimeoutMs;
  }

  /** Installs the guard on {@code connection} (HTTP/1 only); an HTTP/2 connection keeps a plain idle timeout. */
  static void install(HttpConnection connection, long headerTimeoutMs, long idleTimeoutMs) {
    if (!(connection instanceof ConnectionBase base)) {
      return;
    }
    ChannelPipeline pipeline = base.channel().pipeline();
    boolean http1 = pipeline.get("handler") != null && pipeline.get("httpDecoder") != null;
    if (pipeline.get("idle") != null) {
      // the first request's header read-idle timeout ends here: from now on this guard times HTTP/1, and HTTP/2 idles plainly
      if (!http1 && idleTimeoutMs > 0) {
        pipeline.replace("idle", "idle", new IdleStateHandler(0, 0, idleTimeoutMs, TimeUnit.MILLISECONDS));
      } else {
        pipeline.remove("idle");
      }
    }
    if (http1) {
      Http1Guard guard = new Http1Guard(headerTimeoutMs, idleTimeoutMs);
      pipeline.addBefore("httpDecoder", "faultline-bytes", guard.new Bytes());
      pipeline.addBefore("handler", "faultline-guard", guard.new Messages());
    }
  }

  private void schedule(ChannelHandlerContext ctx, long ms) {
    cancel();
    if (ms > 0 && !upgraded) {
      deadline = ctx.executor().schedule(() -> {
        deadline = null;
        ctx.channel().close();
      }, ms, TimeUnit.MILLISECONDS);
    }
  }

  private void cancel() {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }

  /** Before the decoder: the first byte of a request between requests starts its header deadline. */
  private final class Bytes extends ChannelInboundHandlerAdapter {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      if (!inRequest && !upgraded && msg instanceof ByteBuf bytes && bytes.isReadable()) {
        inRequest = true;
        schedule(ctx, headerTimeoutMs);
      }
      super.channelRead(ctx, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      cancel();
      super.channelInactive(ctx);
    }
  }

  /** After the decoder: headers in, undecodable bodies, answers ending. */
  private final class Messages extends ChannelDuplexHandler {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      if (msg instanceof HttpRequest) {
        inRequest = true;
        cancel(); // its headers are in
      }
      if (!responding && msg instanceof HttpContent content && content.decoderResult().isFailure()) {
        ReferenceCountUtil.release(msg);
        badRequest(ctx, "the request body is malformed (RFC 9112 section 7.1): " + content.decoderResult().cause().getMessage());
        return;
      }
      super.channelRead(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
      if (msg instanceof HttpResponse response) {
        responding = true;
        if (response.status().code() == 101) {
          upgraded = true; // a WebSocket or h2c from here on: not HTTP/1 requests any more
          cancel();
        }
      }
      if (msg instanceof LastHttpContent && !upgraded) {
        responding = false;
        inRequest = false;
        schedule(ctx, idleTimeoutMs); // keep-alive: idle until the next request's first byte
      }
      super.write(ctx, msg, promise);
    }
  }

  private static void badRequest(ChannelHandlerContext ctx, String error) {
    byte[] body = new JsonObject().put("error", error).encode().getBytes(StandardCharsets.UTF_8);
    DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST,
        Unpooled.wrappedBuffer(body));
    response.headers().set("content-type", "application/json").set("content-length", body.length).set("connection", "close");
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }
}
