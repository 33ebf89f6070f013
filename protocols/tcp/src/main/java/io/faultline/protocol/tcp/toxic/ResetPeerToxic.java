package io.faultline.protocol.tcp.toxic;

import java.util.List;

/**
 * The {@code ResetPeerToxic} resets the connection (an RST each way: "connection reset by peer")
 * {@code timeout} ms after the first chunk (or the end) reaches it; what it receives is lost. An update does
 * not stop a countdown under way, as Toxiproxy's toxic sleeps it out before it reads its interrupt; stopped
 * otherwise (drawn out, chaos switched off), it lets the direction's end it held go on as a close, so a peer
 * that shut its side down and waits for the other's end is not left waiting for ever.
 */
final class ResetPeerToxic implements Toxic {

  private final long timeoutMs;
  private LinkControl link;
  private boolean triggered;
  private long timer = -1;
  /** The direction's end reached it, and went no further. */
  private boolean endHeld;

  ResetPeerToxic(long timeoutMs) {
    this.timeoutMs = timeoutMs;
  }

  @Override
  public void start(LinkControl link) {
    this.link = link;
  }

  @Override
  public void data(Chunk chunk, List<Chunk> out) {
    trigger(chunk);
  }

  @Override
  public void end(Chunk end, List<Chunk> out) {
    endHeld = true;
    trigger(end);
  }

  /** Counts down from when {@code chunk} reaches it: when a toxic before it lets it go (a latency's), not when it arrived. */
  private void trigger(Chunk chunk) {
    if (!triggered && link != null) {
      triggered = true;
      timer = link.timer(timeoutMs + Toxics.msUntil(chunk, link), link::reset);
    }
  }

  /** Updated: the countdown under way goes on in the new toxic (it still resets when it was due to). */
  @Override
  public void carryFrom(Toxic before) {
    if (before instanceof ResetPeerToxic old && old.triggered) {
      triggered = true;
      timer = old.timer;
      endHeld = old.endHeld;
      old.timer = -1; // handed over: its stop leaves the countdown running
      old.endHeld = false;
    }
  }

  /**
   * Stopped (updated, drawn out, or chaos switched off): a countdown it still owns ends (chaos off lets the connection
   * go on as if untouched), and an end it held goes on as a close (it was swallowed, and a peer that had shut down its
   * side waited for ever).
   */
  @Override
  public void stopped(LinkControl link) {
    if (timer >= 0) {
      link.cancel(timer);
      timer = -1;
    }
    if (endHeld) {
      endHeld = false;
      link.close();
    }
  }
}
