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
import io.netty.util.ReferenceCountUtil;
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
 *            ─► [undecodable body, no answer started: 400]  ─► Vert.x (an unreadable head: its invalid-request handler)
 *   Vert.x ─► [last byte of an answer: keep-alive idle deadline starts] ─► socket
 * </pre>
 * A client gets {@code headerTimeoutMs} from a request's first byte to finish its headers, so slowloris
 * connections that trickle header bytes cannot pile up until the process runs out of descriptors; a
 * connection with no request in progress closes after {@code idleTimeoutMs}; a request in progress is never
 * cut (chaos may hold it for minutes). An upgraded connection (WebSocket, h2c) is left alone from its 101 on.
 * The first request of a cleartext connection comes before Vert.x shows the connection to its handler: its
 * headers are bounded by the read-idle timeout {@link ListenerServers} sets, which this guard then takes over
 * from. That handler sits behind the decoder, which passes on nothing until the headers are in, so header bytes
 * trickled one at a time do not reset it: it times the headers from the connection's start. Over TLS Vert.x
 * shows the connection once its handshake is done, before any request: the guard then times the first
 * request's headers itself, from that moment (a silent or trickling TLS client was never cut).
 */
final class Http1Guard {

  private final long headerTimeoutNanos;
  private final long idleTimeoutNanos;
  /** How far ahead a check is ever scheduled: the shorter timeout, so a check is due before any deadline set later. */
  private final long horizonNanos;
  private boolean inRequest = true; // installed while the connection's first request is being handled (cleartext)
  /** Installed before the connection's first byte (TLS): that request's header deadline already runs from then. */
  private boolean fresh;
  private boolean responding;
  private boolean upgraded;
  private ChannelHandlerContext context;
  /** When the connection closes unless something moves it ({@link System#nanoTime}); {@link #NONE}: never. */
  private long deadline = NONE;
  private boolean checkPending;
  /** The pending check, cancelled when the connection closes: its task holds the whole channel until it runs. */
  private java.util.concurrent.ScheduledFuture<?> pending;

  private static final long NONE = Long.MAX_VALUE;

  /** Whether the listener is draining: every answer then says {@code Connection: close}. */
  private final java.util.function.BooleanSupplier draining;

  private Http1Guard(long headerTimeoutMs, long idleTimeoutMs, java.util.function.BooleanSupplier draining) {
    this.draining = draining;
    this.headerTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(headerTimeoutMs);
    this.idleTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(idleTimeoutMs);
    long horizon = Long.MAX_VALUE;
    for (long timeout : new long[] {headerTimeoutNanos, idleTimeoutNanos}) {
      if (timeout > 0) {
        horizon = Math.min(horizon, timeout);
      }
    }
    this.horizonNanos = horizon;
  }

  /** Installs the guard on {@code connection} (HTTP/1 only); an HTTP/2 connection gets the idle timeout of {@link Http2Idle}. */
  static void install(HttpConnection connection, long headerTimeoutMs, long idleTimeoutMs) {
    install(connection, headerTimeoutMs, idleTimeoutMs, () -> false);
  }

  /** As {@link #install(HttpConnection, long, long)}, the answers saying {@code Connection: close} once {@code draining} says so. */
  static void install(HttpConnection connection, long headerTimeoutMs, long idleTimeoutMs, java.util.function.BooleanSupplier draining) {
    if (!(connection instanceof ConnectionBase base)) {
      return;
    }
    ChannelPipeline pipeline = base.channel().pipeline();
    boolean http2 = pipeline.get(io.netty.handler.codec.http2.Http2ConnectionHandler.class) != null;
    boolean http1 = !http2 && pipeline.get("handler") != null && pipeline.get("httpDecoder") != null;
    if (pipeline.get("idle") != null) {
      // the first request's header read-idle timeout ends here: from now on this guard times HTTP/1, and HTTP/2 idles plainly
      if (!http1 && idleTimeoutMs > 0) {
        pipeline.replace("idle", "idle", new Http2Idle(idleTimeoutMs));
      } else {
        pipeline.remove("idle");
      }
    } else if (http2 && idleTimeoutMs > 0) {
      // upgraded from HTTP/1 (h2c, as `curl --http2 http://...` asks): the idle handler went with the guard of its
      // first request, and Vert.x's upgrade writes its 101 where the guard does not see it. With none, such a
      // connection stayed open for ever, counted against max_connections.
      pipeline.addFirst("idle", new Http2Idle(idleTimeoutMs));
    }
    if (http1) {
      Http1Guard guard = new Http1Guard(headerTimeoutMs, idleTimeoutMs, draining);
      pipeline.addBefore("httpDecoder", "faultline-bytes", guard.new Bytes());
      pipeline.addBefore("handler", "faultline-guard", guard.new Messages());
      if (pipeline.get(io.netty.handler.ssl.SslHandler.class) != null) {
        guard.inRequest = false; // shown before its first request: that request's headers are timed from now
        guard.fresh = true;
        guard.deadline(pipeline.context("faultline-bytes"), guard.headerTimeoutNanos);
      }
    }
  }

  /*
   * The deadline moves with every request (first byte: header deadline; headers in: none; answer sent: idle
   * deadline), so scheduling and cancelling a timer at each move would cost four priority-queue operations
   * per request. Instead one check is pending at a time, never further ahead than the shorter timeout: a
   * deadline set later is never earlier than that check, which closes the connection when the deadline in
   * force has passed, and otherwise looks again at that deadline or one horizon ahead, whichever is sooner.
   */
  private void deadline(ChannelHandlerContext ctx, long timeoutNanos) {
    if (timeoutNanos <= 0 || upgraded) {
      deadline = NONE;
      return;
    }
    long now = System.nanoTime();
    deadline = now + timeoutNanos;
    if (!checkPending) {
      context = ctx;
      schedule(Math.min(timeoutNanos, horizonNanos));
    }
  }

  private void schedule(long delayNanos) {
    checkPending = true;
    pending = context.executor().schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
  }

  private void check() {
    checkPending = false;
    if (deadline == NONE || !context.channel().isActive()) {
      return; // the next deadline set schedules the next check
    }
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      context.channel().close();
    } else {
      schedule(Math.min(left, horizonNanos));
    }
  }

  /** Takes this guard's handlers out of {@code pipeline} (an upgraded connection is not HTTP/1 any more). */
  private void leave(ChannelPipeline pipeline) {
    if (pending != null) {
      pending.cancel(false);
      pending = null;
      checkPending = false;
    }
    for (String name : new String[] {"faultline-bytes", "faultline-guard"}) {
      if (pipeline.get(name) != null) {
        pipeline.remove(name);
      }
    }
  }

  /** Before the decoder: the first byte of a request between requests starts its header deadline. */
  private final class Bytes extends ChannelInboundHandlerAdapter {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      if (!inRequest && !upgraded && msg instanceof ByteBuf bytes && bytes.isReadable()) {
        inRequest = true;
        if (fresh) {
          fresh = false; // timed from the connection's start, as a cleartext connection's first request is
        } else {
          deadline(ctx, headerTimeoutNanos);
        }
      }
      super.channelRead(ctx, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      deadline = NONE;
      if (pending != null) {
        // else the event loop's queue keeps the closed channel, its pipeline and buffers, until the check
        // is due (up to the idle timeout): thousands of closed connections a second filled the heap
        pending.cancel(false);
        pending = null;
        checkPending = false;
      }
      super.channelInactive(ctx);
    }
  }

  /** After the decoder: headers in, undecodable bodies, answers ending. */
  private final class Messages extends ChannelDuplexHandler {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      if (msg instanceof HttpRequest) {
        inRequest = true;
        deadline = NONE; // its headers are in
        requests++;
      }
      // a head that cannot be read (too long, malformed) is the listener's invalid-request handler's to answer
      if (!responding && !(msg instanceof HttpRequest) && msg instanceof HttpContent content && content.decoderResult().isFailure()) {
        ReferenceCountUtil.release(msg);
        badRequest(ctx, "the request body is malformed (RFC 9112 section 7.1): " + content.decoderResult().cause().getMessage());
        return;
      }
      super.channelRead(ctx, msg);
    }

    /** An interim answer (100 Continue, 103) is being written: its end is not the request's answer's end. */
    private boolean interim;
    /** Requests whose heads have been read, and answers that have ended: more of the first, a request waits for its answer. */
    private long requests;
    private long answers;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
      if (msg instanceof HttpResponse response && response.status().code() < 200 && response.status().code() != 101) {
        // Vert.x writes a 100 Continue as a whole answer: taken for the request's, the body that follows it started
        // the next request's header timeout, and a request whose answer took longer lost its connection unanswered
        interim = true;
      } else if (msg instanceof HttpResponse response) {
        responding = true;
        if (response.status().code() == 101) {
          upgraded = true; // a WebSocket or h2c from here on: not HTTP/1 requests any more
          deadline = NONE;
          // and the guard leaves the pipeline once the 101 is out: an idle WebSocket kept it for its whole life
          promise.addListener(sent -> leave(ctx.pipeline()));
        } else if (draining.getAsBoolean() && response.status().code() >= 200) {
          // the connection closes once this answer is through: said, so a keep-alive client opens a new one for
          // its next request instead of sending it into the close (one request lost per connection at each drain)
          response.headers().set(io.netty.handler.codec.http.HttpHeaderNames.CONNECTION, io.netty.handler.codec.http.HttpHeaderValues.CLOSE);
        }
      }
      if (msg instanceof LastHttpContent && interim) {
        interim = false;
      } else if (msg instanceof LastHttpContent && !upgraded) {
        responding = false;
        if (++answers < requests) {
          // a pipelined request read with this one is next (Vert.x queues it until this answer ends): it is in
          // progress, not idle, and chaos may hold it past the idle timeout (it was cut there, unanswered)
          deadline = NONE;
        } else {
          inRequest = false;
          deadline(ctx, idleTimeoutNanos); // keep-alive: idle until the next request's first byte
        }
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
