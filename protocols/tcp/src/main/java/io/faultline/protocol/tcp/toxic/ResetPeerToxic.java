package io.faultline.protocol.tcp.toxic;

import java.util.List;

/**
 * The {@code ResetPeerToxic} resets the connection (an RST each way: "connection reset by peer")
 * {@code timeout} ms after the first chunk (or the end) reaches it; what it receives is lost.
 */
final class ResetPeerToxic implements Toxic {

  private final long timeoutMs;
  private LinkControl link;
  private boolean triggered;
  private long timer = -1;

  ResetPeerToxic(long timeoutMs) {
    this.timeoutMs = timeoutMs;
  }

  @Override
  public void start(LinkControl link) {
    this.link = link;
  }

  @Override
  public void data(Chunk chunk, List<Chunk> out) {
    trigger();
  }

  @Override
  public void end(Chunk end, List<Chunk> out) {
    trigger();
  }

  private void trigger() {
    if (!triggered && link != null) {
      triggered = true;
      timer = link.timer(timeoutMs, link::reset);
    }
  }

  /** Stopped (updated, drawn out, or chaos switched off): its countdown ends, as Toxiproxy's interrupted toxic's does. */
  @Override
  public void stopped(LinkControl link) {
    if (timer >= 0) {
      link.cancel(timer);
      timer = -1;
    }
  }
}
