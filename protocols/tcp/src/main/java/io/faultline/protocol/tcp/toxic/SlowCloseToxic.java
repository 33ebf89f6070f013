package io.faultline.protocol.tcp.toxic;

import java.util.List;

/** The {@code SlowCloseToxic} delays the close of a direction by {@code delay} ms; its bytes pass untouched. */
final class SlowCloseToxic implements Toxic {

  private static final long NANOS_PER_MS = 1_000_000L;

  private final long delayMs;

  SlowCloseToxic(long delayMs) {
    this.delayMs = delayMs;
  }

  @Override
  public void data(Chunk chunk, List<Chunk> out) {
    out.add(chunk);
  }

  @Override
  public void end(Chunk end, List<Chunk> out) {
    out.add(end.notBefore(end.dueNanos() + delayMs * NANOS_PER_MS));
  }
}
