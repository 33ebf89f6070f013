package io.faultline.protocol.tcp.toxic;

import io.faultline.chaos.engine.ChaosRandom;
import java.util.List;

/**
 * The {@code LatencyToxic} delays every chunk by {@code latency} ms ± {@code jitter} ms (uniform in
 * [latency − jitter, latency + jitter)), counted from when the chunk reached the proxy, so time it spent
 * in an earlier toxic counts. Chunks keep their order: one never overtakes the one before it.
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
    out.add(chunk.notBefore(chunk.arrivalNanos() + Math.max(0, delayMs) * NANOS_PER_MS));
  }
}
