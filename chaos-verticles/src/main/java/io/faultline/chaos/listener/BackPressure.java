package io.faultline.chaos.listener;

import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;

/** Relaying by hand, chunk by chunk (where {@code pipeTo}, which ends the destination itself, does not fit). */
public final class BackPressure {

  private BackPressure() {
  }

  /** Writes {@code chunk} to {@code to}; when its queue is full, pauses {@code from} until it drains. */
  public static <T> void write(ReadStream<T> from, WriteStream<T> to, T chunk) {
    to.write(chunk);
    pauseWhenFull(from, to);
  }

  /** When {@code to}'s queue is full, pauses {@code from} until it drains. */
  public static void pauseWhenFull(ReadStream<?> from, WriteStream<?> to) {
    if (to.writeQueueFull()) {
      from.pause();
      to.drainHandler(v -> from.resume());
    }
  }
}
