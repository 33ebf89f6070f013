package io.faultline.chaos.listener;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ReadOnlyByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.http.HttpContent;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.LongAdder;

/**
 * Lets an answer's body go from the upstream's socket to the client's without a copy, for the exchanges
 * that ask it ({@link #pass}: HTTP's plain path, which only writes each piece on). Vert.x's HTTP client
 * copies every piece of a body out of Netty's pooled buffer into a new heap array, which the client's socket
 * then copies back into a direct buffer to write it (Vert.x 5.0.7, {@code VertxHandler.safeBuffer}: a tenth
 * of the gateway's CPU on 64 KiB bodies in the bench's profile, and nine tenths of what it allocates). Between
 * the HTTP decoder and Vert.x ({@link UpstreamAnswers}, one for each connection), each piece of such an answer
 * is wrapped in a {@link Piece}, which Vert.x takes as it is (its allocator is not a pooled one), and
 * {@link #write} writes it on and gives its memory back to the pool once the client's socket has written it.
 *
 * <p>Every piece is given back exactly once: by {@link #write} when its write is over (done or failed), or by
 * {@link #sweep} when the exchange is over (its answer ended, or it failed) for the pieces Vert.x handed to
 * nobody. Not when the connection closes: Vert.x still delivers what it holds of a paused answer then
 * ({@link UpstreamAnswers}). A piece swept before Vert.x delivers it (an exchange that failed while its
 * answer was paused) is not written: {@link #write} answers false, and the answer is broken off.
 */
public final class PassedBodies {

  /** Pieces handed on and not given back yet, on every connection: none once every exchange is over. */
  private static final LongAdder OUTSTANDING = new LongAdder();
  /** The Netty buffer under a Vert.x buffer ({@code BufferImpl.buffer}, private). */
  private static final VarHandle UNDER;
  private static final Class<?> BUFFER_IMPL;

  static {
    try {
      BUFFER_IMPL = Class.forName("io.vertx.core.buffer.impl.BufferImpl");
      UNDER = MethodHandles.privateLookupIn(BUFFER_IMPL, MethodHandles.lookup()).findVarHandle(BUFFER_IMPL, "buffer", ByteBuf.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The pieces handed to Vert.x and not yet taken by {@link #write}, oldest first. */
  private final ArrayDeque<Piece> handed = new ArrayDeque<>();
  private boolean passing;

  PassedBodies() {
  }

  /** The answer to the request going out now is passed without a copy, to be written on only by {@link #write}. */
  void pass() {
    passing = true;
  }

  /** The exchange is over: gives back what Vert.x handed nobody, and the next exchange is copied unless it asks. */
  void sweep() {
    passing = false;
    for (Piece piece = handed.pollFirst(); piece != null; piece = handed.pollFirst()) {
      if (piece.state == Piece.HANDED) {
        piece.giveBack();
      }
    }
  }

  /** What Vert.x gets of {@code msg}, read from the upstream: a piece of a passed answer's body wrapped, else itself. */
  Object passed(Object msg) {
    if (passing && msg instanceof HttpContent content && content.content().isReadable()) {
      Piece piece = new Piece(content.content(), this);
      handed.addLast(piece);
      OUTSTANDING.increment();
      return content.replace(piece);
    }
    return msg;
  }

  /**
   * Writes {@code chunk}, a piece of an answer read from {@code from}, to {@code to} as {@link BackPressure#write}
   * does; a passed piece goes back to the pool once written. False, writing nothing, when the piece was given back
   * already (its exchange is over: the caller breaks the answer off).
   */
  public static boolean write(ReadStream<Buffer> from, WriteStream<Buffer> to, Buffer chunk) {
    Piece piece = BUFFER_IMPL.isInstance(chunk) && UNDER.get(chunk) instanceof Piece p ? p : null;
    if (piece == null) {
      BackPressure.write(from, to, chunk);
      return true;
    }
    if (!piece.take()) {
      return false;
    }
    try {
      to.write(chunk).onComplete(piece);
    } catch (RuntimeException e) {
      piece.giveBack();
      throw e;
    }
    BackPressure.pauseWhenFull(from, to);
    return true;
  }

  /** Gives back a piece {@code chunk} may be that will not be written (the client left). */
  public static void drop(Buffer chunk) {
    if (BUFFER_IMPL.isInstance(chunk) && UNDER.get(chunk) instanceof Piece piece && piece.take()) {
      piece.giveBack();
    }
  }

  /** Passed pieces not given back yet, across all connections (for tests: 0 once traffic is over). */
  public static long outstanding() {
    return OUTSTANDING.sum();
  }

  /**
   * A piece of a passed body: Netty's pooled buffer, read-only, under an allocator that tells Vert.x it is
   * not pooled. Given back (released) once, when its write is over or its exchange is.
   */
  static final class Piece extends ReadOnlyByteBuf implements Handler<AsyncResult<Void>> {

    static final int HANDED = 0;
    static final int TAKEN = 1;
    static final int GIVEN_BACK = 2;

    private final PassedBodies owner;
    int state = HANDED;

    @SuppressWarnings("deprecation")
    Piece(ByteBuf pooled, PassedBodies owner) {
      super(pooled);
      this.owner = owner;
    }

    @Override
    public ByteBufAllocator alloc() {
      return UnpooledByteBufAllocator.DEFAULT;
    }

    /** The writer takes it; false when it was given back already. */
    boolean take() {
      if (state != HANDED) {
        return false;
      }
      state = TAKEN;
      if (owner.handed.peekFirst() == this) {
        owner.handed.pollFirst();
      }
      return true;
    }

    void giveBack() {
      if (state != GIVEN_BACK) {
        state = GIVEN_BACK;
        release();
        OUTSTANDING.decrement();
      }
    }

    /** Its write is over, done or failed. */
    @Override
    public void handle(AsyncResult<Void> written) {
      giveBack();
    }
  }
}
