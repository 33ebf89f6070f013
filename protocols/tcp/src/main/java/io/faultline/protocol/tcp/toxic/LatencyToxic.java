package io.faultline.protocol.tcp.toxic;

import io.faultline.chaos.engine.ChaosRandom;
import java.util.List;

/**
 * The {@code LatencyToxic} delays every chunk by {@code latency} ms ± {@code jitter} ms (uniform in
 * [latency − jitter, latency + jitter)), counted from the chunk's timestamp as Toxiproxy's does: from when it reached
 * the proxy, so time it spent in an earlier toxic counts, and the timestamp moves on by what this toxic held it for, so
 * a second latency after this one adds its own (counted from the first one's end, two of 300 ms hold a chunk 600 ms;
 * counted from arrival, they held it 300). Chunks keep their order: one never overtakes the one before it.
 */
final class LatencyToxic implements Toxic {

  private static final long NANOS_PER_MS = 1_000_000L;

  private final long latencyMs;
  private final long jitterMs;
  private final ChaosRandom random;

  LatencyToxic(long latencyMs, long jitterMs, ChaosRandom random) {
    this.latencyMs = latencyMs;
    this.jitterMs = jitterMs;
    this.random = random;
  }

  @Override
  public void data(Chunk chunk, List<Chunk> out) {
    long delayMs = latencyMs;
    if (jitterMs > 0) {
      delayMs += random.between(0, 2 * jitterMs - 1) - jitterMs;
    }
    long target = chunk.stampNanos() + Math.max(0, delayMs) * NANOS_PER_MS;
    long sleep = target - chunk.dueNanos(); // Toxiproxy: delay - time.Since(c.Timestamp), then c.Timestamp.Add(sleep)
    out.add(chunk.notBefore(target).stampedLater(sleep));
  }
}
