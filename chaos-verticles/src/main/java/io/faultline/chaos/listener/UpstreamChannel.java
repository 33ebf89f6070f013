package io.faultline.chaos.listener;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * One HTTP/1.1 connection to an upstream of {@link UpstreamChannels}, read and written with Netty's codec: the
 * exchange it carries hears the answer's head and each piece of its body as the decoder makes them, on the
 * connection's event loop (the listener's), with no copy and no stream of Vert.x's in between. Vert.x's HTTP
 * client cost the plain path 4.4 µs of CPU a request over Netty's codec (the bench's {@code floor.sh},
 * {@code BareHybrid}): most of the gap to nginx.
 *
 * <p>What the exchange hears: the final answer only (interim ones, {@code 102 Processing} and the like, are passed
 * over, as nginx does); its body pieces, the last one a {@link LastHttpContent} with any trailers; and a failure
 * when the connection breaks before that last piece (the upstream closed it, a head or chunk it could not read, a
 * write that failed). A connection carries one exchange at a time; bytes from the upstream when none is in flight
 * spend it ({@link #spent}).
 */
public final class UpstreamChannel extends ChannelDuplexHandler {

  /** What the exchange on a connection hears, on its event loop. */
  public interface Exchange {

    /** The final answer's head (interim answers are passed over). */
    void head(HttpResponse head);

    /** A piece of the answer's body, the last one a {@link LastHttpContent}: the exchange owns it (releases it). */
    void piece(HttpContent piece);

    /** A read from the upstream is over: what it brought has been handed on. */
    void readDone();

    /** The connection can take more of the request's body. */
    void writable();

    /** The connection broke before the answer's end. */
    void failed(Throwable cause);
  }

  /** Pieces of answers written on and not given back to Netty's pool yet, on every connection: none once every exchange is over. */
  private static final LongAdder OUTSTANDING = new LongAdder();

  private final UpstreamPool<UpstreamChannel>.Host host;
  private final AnswerDecoder decoder;
  private ChannelHandlerContext ctx;
  private Exchange exchange;
  private boolean carried;
  private boolean skipping;
  /** The exchange's answer came whole: anything more before the next exchange is no request's. */
  private boolean answered;
  /** The exchange in flight has had something from the upstream ({@link #heard}). */
  private boolean heard;
  /** The connection is being closed: what is still decoded from it is let go. */
  private boolean closing;
  private boolean inactive;
  private Throwable cause;

  UpstreamChannel(UpstreamPool<UpstreamChannel>.Host host, AnswerDecoder decoder) {
    this.host = host;
    this.decoder = decoder;
  }

  /** The decoder of a new connection's answers, for heads and chunks as large as a listener takes from its clients. */
  static AnswerDecoder decoder() {
    return new AnswerDecoder(new HttpDecoderConfig()
        .setMaxInitialLineLength(ListenerServers.MAX_REQUEST_LINE_BYTES)
        .setMaxHeaderSize(ListenerServers.MAX_HEADER_BYTES)
        .setMaxChunkSize(UpstreamClients.MAX_CHUNK_BYTES)
        .setHeadersFactory(DefaultHttpHeadersFactory.headersFactory())
        .setTrailersFactory(DefaultHttpHeadersFactory.trailersFactory()));
  }

  /**
   * Writes a piece of an answer's body to {@code response} as it is, Netty's pooled buffer under a Vert.x one with
   * no copy (Vert.x's HTTP client copied every piece into a new heap array, which the client's socket then copied
   * back into a direct buffer: a tenth of the gateway's CPU on 64 KiB bodies), and gives it back to the pool once
   * the client's socket has written it, or failed to. Ends the answer with it when {@code last}.
   */
  public static void pass(HttpContent piece, HttpServerResponse response, boolean last) {
    Buffer bytes = BufferInternal.buffer(piece.content());
    OUTSTANDING.increment();
    (last ? response.end(bytes) : response.write(bytes)).onComplete(written -> {
      piece.release();
      OUTSTANDING.decrement();
    });
  }

  /**
   * Writes a piece of the answer of {@code owner}, this connection's exchange, on to {@code response} ({@link #pass}, not
   * its last; an empty one is let go), and when the client's side is then full stops reading this connection until it
   * drains: unless the exchange has let go of the connection by then (it went back to its pool, or was closed).
   */
  public void passOn(HttpContent piece, HttpServerResponse response, Exchange owner) {
    if (!piece.content().isReadable()) {
      piece.release();
      return;
    }
    pass(piece, response, false);
    if (response.writeQueueFull()) {
      reading(false);
      response.drainHandler(v -> {
        if (exchange == owner) {
          reading(true);
        }
      });
    }
  }

  /** Pieces of answers written on and not given back yet, across all connections (for tests: 0 once traffic is over). */
  public static long outstanding() {
    return OUTSTANDING.sum();
  }

  /** Whether the upstream keeps its connection after the answer that starts with {@code head} (RFC 9112 9.3). */
  public static boolean keepsAlive(HttpResponse head) {
    return keepsAlive(head.headers().get(HttpHeaderNames.CONNECTION), head.protocolVersion().minorVersion() == 0);
  }

  /**
   * Whether an upstream keeps its connection after an answer whose {@code Connection} header is {@code said}
   * (null when it sent none) (RFC 9112 9.3): an HTTP/1.0 answer only when it says keep-alive, an HTTP/1.1 one
   * unless it says close.
   */
  static boolean keepsAlive(String said, boolean http10) {
    if (http10) {
      return said != null && said.toLowerCase(Locale.ROOT).contains("keep-alive");
    }
    return said == null || !said.toLowerCase(Locale.ROOT).contains("close");
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Starts an exchange on this connection: {@code exchange} hears its answer. {@code bodiless} when the answer has
   * no body whatever its head says (the request was a {@code HEAD}).
   */
  public void begin(Exchange exchange, boolean bodiless) {
    this.exchange = exchange;
    answered = false;
    heard = false;
    decoder.bodiless = bodiless;
  }

  /**
   * Whether the upstream answered the exchange in flight, in anything this end could read or not: a request it
   * answered with a head past the limits or a broken status line was had, and is not sent again.
   */
  public boolean heard() {
    return heard;
  }

  /** The {@code Host} header of this connection's upstream ({@link io.faultline.chaos.config.Upstream#authority}), made once for it. */
  public String authority() {
    return host.authority;
  }

  /** The scheme of this connection's upstream ({@code http}, {@code https}). */
  String scheme() {
    return host.upstream.scheme();
  }

  /** Whether this connection carried an exchange before the one it carries now. */
  public boolean reused() {
    return carried;
  }

  /** Writes {@code message} (a request's head or a piece of its body) and sends it at once when {@code flush}. */
  public void write(Object message, boolean flush) {
    if (flush) {
      ctx.writeAndFlush(message, ctx.voidPromise());
    } else {
      ctx.write(message, ctx.voidPromise());
    }
  }

  /** Whether the connection takes more without queueing past its high-water mark. */
  public boolean writable() {
    return ctx.channel().isWritable();
  }

  /** Reads on from the upstream, or stops reading (the client's side of the answer is full). */
  public void reading(boolean on) {
    ctx.channel().config().setAutoRead(on);
  }

  /**
   * The exchange is over: the connection goes back to its pool for the next when {@code reusable} (the request
   * went whole, the answer came whole, and the upstream keeps the connection), else it is closed.
   */
  public void done(boolean reusable) {
    exchange = null;
    carried = true;
    decoder.bodiless = false;
    if (!ctx.channel().config().isAutoRead()) {
      reading(true);
    }
    host.release(this, reusable);
  }

  /** The exchange it was had for never began (its client left while it waited): back to its pool as it was. */
  public void unused() {
    host.release(this, true);
  }

  /** Closes the connection (what its exchange hears, if one is in flight, is that it failed). */
  public void close() {
    ctx.close();
  }

  /** True when the connection, between two exchanges, must not carry another ({@link UpstreamPool#spent}): closed, or holding bytes no request asked for. */
  boolean spent() {
    return inactive || closing || !ctx.channel().isActive() || decoder.undecoded() > 0;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closing || !(msg instanceof HttpObject object)) {
      ReferenceCountUtil.release(msg); // decoded after the connection was given up: nobody's
      return;
    }
    heard = true;
    DecoderResult result = object.decoderResult();
    Exchange to = exchange;
    if (result.isFailure()) {
      giveUp(msg, result.cause());
      return;
    }
    if (to == null || answered) { // between exchanges, or a second answer to one request (a 408 after an early answer)
      giveUp(msg, new IOException("the upstream sent bytes no request asked for"));
      return;
    }
    if (msg instanceof HttpResponse head) {
      int status = head.status().code();
      if (status == 101) {
        giveUp(msg, new IOException("the upstream switched protocols (101) for a request that asked for no upgrade"));
        return;
      }
      if (status < 200) { // an interim answer: its empty end follows, and is passed over with it
        skipping = true;
        ReferenceCountUtil.release(msg);
        return;
      }
      // one look-up on an answer of known length; a chunked one is looked at whole (a second line may say gzip)
      String coding = head.headers().get(HttpHeaderNames.TRANSFER_ENCODING);
      String undecoded = coding == null ? null : chunkedOnly(head, coding) ? null
          : ProxiedHeaders.undecodedCoding(head.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING));
      if (undecoded != null) {
        giveUp(msg, new IOException(undecoded));
        return;
      }
      to.head(head);
    }
    if (msg instanceof HttpContent piece) {
      if (skipping) {
        skipping = !(piece instanceof LastHttpContent);
        piece.release();
      } else {
        // set first: the exchange may end here, and the next one begin on this connection
        answered = piece instanceof LastHttpContent;
        to.piece(piece);
      }
    }
  }

  /** Whether {@code head}'s Transfer-Encoding, whose first line is {@code coding}, is that line alone and {@code chunked}. */
  private static boolean chunkedOnly(HttpResponse head, String coding) {
    if (!coding.equals("chunked")) {
      return false;
    }
    java.util.Iterator<String> lines = head.headers().valueStringIterator(HttpHeaderNames.TRANSFER_ENCODING);
    lines.next();
    return !lines.hasNext();
  }

  /**
   * Closes the connection for {@code cause} (what its exchange, if one is in flight, hears), and lets go of
   * {@code msg} and whatever the decoder still hands on: nothing more read from it is anyone's.
   */
  private void giveUp(Object msg, Throwable cause) {
    ReferenceCountUtil.release(msg);
    if (this.cause == null) {
      this.cause = cause;
    }
    closing = true;
    ctx.close();
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    Exchange to = exchange;
    if (to != null) {
      to.readDone();
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    Exchange to = exchange;
    if (to != null && ctx.channel().isWritable()) {
      to.writable();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    giveUp(null, cause);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    inactive = true;
    Exchange to = exchange;
    exchange = null;
    host.closed(this);
    if (to != null) {
      to.failed(cause != null ? cause : new IOException("the upstream closed the connection"));
    }
    ctx.fireChannelInactive();
  }

  /**
   * Netty's decoder of HTTP/1.x answers, told when the answer to come has no body whatever its head says (the
   * answer to a {@code HEAD}), and asked what it holds undecoded.
   */
  static final class AnswerDecoder extends HttpResponseDecoder {

    private boolean bodiless;

    AnswerDecoder(HttpDecoderConfig config) {
      super(config);
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage message) {
      return super.isContentAlwaysEmpty(message)
          || bodiless && message instanceof HttpResponse answer && answer.status().code() >= 200;
    }

    int undecoded() {
      return actualReadableBytes();
    }
  }
}
