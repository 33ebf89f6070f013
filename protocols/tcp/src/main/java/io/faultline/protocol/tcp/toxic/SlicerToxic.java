package io.faultline.protocol.tcp.toxic;

import io.faultline.chaos.engine.ChaosRandom;
import java.util.List;

/**
 * The {@code SlicerToxic} cuts each chunk into slices of about {@code average_size} bytes (±
 * {@code size_variation}) by halving it, as Toxiproxy does, and spaces the slices {@code delay} µs apart
 * (after the last one too, so the next chunk waits as well).
 */
final class SlicerToxic implements Toxic {

  private static final long NANOS_PER_MICRO = 1_000L;

  private final int averageSize;
  private final int sizeVariation;
  private final long delayNanos;
  private final ChaosRandom random;
  private long free;

  SlicerToxic(int averageSize, int sizeVariation, long delayMicros, ChaosRandom random) {
    this.averageSize = averageSize;
    this.sizeVariation = sizeVariation;
    this.delayNanos = delayMicros * NANOS_PER_MICRO;
    this.random = random;
  }

  @Override
  public void data(Chunk chunk, List<Chunk> out) {
    long due = Math.max(chunk.dueNanos(), free);
    cut(chunk, 0, chunk.length(), due, out);
  }

  /** Adds the slices of {@code [start, end)}; answers when the next slice may go. */
  private long cut(Chunk chunk, int start, int end, long due, List<Chunk> out) {
    if (end - start - averageSize <= sizeVariation) {
      out.add(chunk.slice(start, end, due));
      free = due + delayNanos;
      return free;
    }
    int mid = start + (end - start) / 2;
    if (sizeVariation > 0) {
      mid += random.nextInt(2 * sizeVariation) - sizeVariation;
    }
    return cut(chunk, mid, end, cut(chunk, start, mid, due, out), out);
  }
}
