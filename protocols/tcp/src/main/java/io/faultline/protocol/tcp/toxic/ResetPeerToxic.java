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
      link.timer(timeoutMs, link::reset);
    }
  }
}
