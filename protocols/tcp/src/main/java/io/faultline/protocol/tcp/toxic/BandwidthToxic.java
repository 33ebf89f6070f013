package io.faultline.protocol.tcp.toxic;

import io.faultline.chaos.shaping.Pacer;
import java.util.List;

/**
 * The {@code BandwidthToxic} limits a direction to {@code rate} KB/s (Toxiproxy's KB: 1000 bytes): chunks
 * are cut into pieces of about 20 ms of bandwidth, each due at its slot of the shared {@link Pacer}
 * timeline, so the rate holds over a whole transfer. A rate of 0 lets nothing through ({@link #cuts}): the link
 * holds the direction's bytes, and its end, until the toxic is removed or updated, as Toxiproxy's bandwidth toxic
 * does (Testcontainers' {@code setConnectionCut(true)} is a rate of 0 both ways; it was taken for no limit). The
 * {@code traffic_shaping} section's {@code bandwidth_limit_bps} paces tcp connections with it too.
 */
public final class BandwidthToxic implements Toxic {

  private static final int MAX_PIECE = 16 * 1024;

  private final Pacer pacer;
  private final int piece;

  /** {@code bytesPerSecond} of 0: nothing passes ({@link #cuts}). */
  public BandwidthToxic(long bytesPerSecond) {
    this.pacer = bytesPerSecond <= 0 ? null : new Pacer(bytesPerSecond, System::nanoTime);
    this.piece = (int) Math.max(1, Math.min(MAX_PIECE, bytesPerSecond / 50));
  }

  static BandwidthToxic kilobytesPerSecond(long rate) {
    return new BandwidthToxic(rate * 1000);
  }

  /** Whether this toxic lets nothing through (a rate of 0): the link holds what reaches it. */
  public boolean cuts() {
    return pacer == null;
  }

  @Override
  public void data(Chunk chunk, List<Chunk> out) {
    if (pacer == null) {
      out.add(chunk);
      return;
    }
    for (int from = 0; from < chunk.length(); from += piece) {
      int to = Math.min(chunk.length(), from + piece);
      out.add(chunk.slice(from, to, Math.max(chunk.dueNanos(), pacer.book(to - from, chunk.dueNanos()))));
    }
  }
}
