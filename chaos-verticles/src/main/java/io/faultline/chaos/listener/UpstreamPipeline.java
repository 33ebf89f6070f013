package io.faultline.chaos.listener;

import io.netty.channel.ChannelInboundHandler;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpClientConnectionInternal;
import io.vertx.core.http.impl.UnpooledHttpClientConnection;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;

/**
 * What every HTTP/1.x connection to an upstream gets between Netty's HTTP decoder and Vert.x, where the
 * Vert.x client falls short of a proxy's needs ({@link UpstreamAnswers}: 1xx it does not know passed over, an
 * answer kept whole when the upstream closes right after it), and what a pool
 * needs to tell a connection it must not reuse.
 */
public final class UpstreamPipeline {

  /** The name Vert.x gives its HTTP/1.x client codec in a connection's pipeline. */
  static final String CODEC = "codec";

  /**
   * The connection under the wrapper {@code HttpClientAgent.connect} gives: its pipeline is reached
   * through it (Vert.x offers no other way; the version is pinned, and the tests fail if this changes).
   */
  private static final VarHandle UNPOOLED_ACTUAL;
  /** The codec's decoder ({@code CombinedChannelDuplexHandler.inboundHandler()}, protected). */
  private static final MethodHandle DECODER;
  /** What the decoder holds and has not decoded ({@code ByteToMessageDecoder.actualReadableBytes()}, protected). */
  private static final MethodHandle UNDECODED;

  static {
    try {
      UNPOOLED_ACTUAL = MethodHandles.privateLookupIn(UnpooledHttpClientConnection.class, MethodHandles.lookup())
          .findVarHandle(UnpooledHttpClientConnection.class, "actual", HttpClientConnectionInternal.class);
      DECODER = MethodHandles.privateLookupIn(CombinedChannelDuplexHandler.class, MethodHandles.lookup())
          .findVirtual(CombinedChannelDuplexHandler.class, "inboundHandler", MethodType.methodType(ChannelInboundHandler.class));
      UNDECODED = MethodHandles.privateLookupIn(ByteToMessageDecoder.class, MethodHandles.lookup())
          .findVirtual(ByteToMessageDecoder.class, "actualReadableBytes", MethodType.methodType(int.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private UpstreamPipeline() {
  }

  /**
   * Prepares {@code connection}, an upstream connection of an HTTP client (pooled, or from {@code connect}), and
   * answers what it installed (null for a connection it does not know), for its owner to keep.
   */
  public static Installed prepare(HttpConnection connection) {
    HttpClientConnectionInternal internal = internal(connection);
    if (internal == null) {
      return null;
    }
    return new Installed(UpstreamAnswers.install(internal), decoder(internal));
  }

  private static ByteToMessageDecoder decoder(HttpClientConnectionInternal connection) {
    if (!(connection.channelHandlerContext().pipeline().get(CODEC) instanceof CombinedChannelDuplexHandler<?, ?> codec)) {
      return null;
    }
    try {
      return DECODER.invoke(codec) instanceof ByteToMessageDecoder decoder ? decoder : null;
    } catch (Throwable e) {
      throw new IllegalStateException("the upstream connection's decoder could not be read", e);
    }
  }

  /**
   * What {@link #prepare} installed on one HTTP/1.x connection, kept by the connection's owner: nothing is
   * looked up by name in its pipeline per exchange (such lookups were 2% of the plain path's CPU).
   */
  public static final class Installed {

    private final UpstreamAnswers answers;
    private final ByteToMessageDecoder decoder;

    private Installed(UpstreamAnswers answers, ByteToMessageDecoder decoder) {
      this.answers = answers;
      this.decoder = decoder;
    }

    /**
     * True when the connection, between two exchanges, must not carry another: the upstream has closed it
     * (its close waits for an answer to be read), or sent bytes past its last answer that no request asked for
     * (more than its {@code Content-Length}, a body on a 204), which the next answer would be read from (a 502
     * "invalid version format: 56789HTTP/1.1" for the next, innocent request). nginx does not keep such a
     * connection either.
     */
    boolean spent() {
      if (answers != null && answers.closing()) {
        return true;
      }
      try {
        return decoder != null && (int) UNDECODED.invoke(decoder) > 0;
      } catch (Throwable e) {
        throw new IllegalStateException("the upstream connection's decoder could not be read", e);
      }
    }
  }

  private static HttpClientConnectionInternal internal(HttpConnection connection) {
    if (connection instanceof UnpooledHttpClientConnection unpooled) {
      connection = (HttpConnection) UNPOOLED_ACTUAL.get(unpooled);
    }
    return connection instanceof HttpClientConnectionInternal internal ? internal : null;
  }
}
