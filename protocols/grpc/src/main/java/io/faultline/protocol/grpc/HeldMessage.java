package io.faultline.protocol.grpc;

import io.vertx.core.Vertx;
import java.util.function.BooleanSupplier;

/**
 * Holds one gRPC message for its delay or its paced time, looking every {@link #SLICE_MS} whether chaos was
 * switched off meanwhile (the kill switch): then it goes at once, as a throttled HTTP body goes on at full
 * speed within a chunk. One timer of the whole wait held a large message throttled to 1,000 bytes/s for 16 s
 * after the kill switch.
 */
final class HeldMessage {

  /** How often a held message looks whether chaos is still on. */
  static final long SLICE_MS = 20;

  private HeldMessage() {
  }

  /**
   * Runs {@code release} on this context after {@code waitMs} (more than 0), or sooner once {@code chaosOn} is false;
   * never once {@code gone} is true (the call was cancelled, or ended by its deadline): the message is dropped then, and
   * nothing of the call is kept. It went on being held, waking every slice, for the rest of its wait, and what its
   * release did (an abort after it, counted as a fault) came for a call already over.
   */
  static void release(Vertx vertx, long waitMs, BooleanSupplier chaosOn, BooleanSupplier gone, Runnable release) {
    wait(vertx, System.nanoTime() + waitMs * 1_000_000, chaosOn, gone, release);
  }

  private static void wait(Vertx vertx, long dueNanos, BooleanSupplier chaosOn, BooleanSupplier gone, Runnable release) {
    if (gone.getAsBoolean()) {
      return;
    }
    long leftMs = (dueNanos - System.nanoTime() + 999_999) / 1_000_000;
    if (leftMs <= 0 || !chaosOn.getAsBoolean()) {
      release.run();
      return;
    }
    vertx.setTimer(Math.min(leftMs, SLICE_MS), id -> wait(vertx, dueNanos, chaosOn, gone, release));
  }
}
