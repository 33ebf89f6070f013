package io.faultline.protocol.tcp.toxic;

import java.util.List;

/**
 * The {@code TimeoutToxic} stops all data of a direction and closes the connection {@code timeout} ms
 * after the last chunk it stopped (or after it started); with 0 it never closes it and the data is lost
 * until the toxic is removed. Removing it, or the direction's end (a FIN), closes the connection, as in Toxiproxy.
 */
final class TimeoutToxic implements Toxic {

  private final long timeoutMs;
  private LinkControl link;
  private long timer = -1;

  TimeoutToxic(long timeoutMs) {
    this.timeoutMs = timeoutMs;
  }

  @Override
  public void start(LinkControl link) {
    this.link = link;
    arm(0);
  }

  @Override
  public void data(Chunk chunk, List<Chunk> out) {
    // Toxiproxy waits anew after each chunk it swallows: from when it reaches it (a toxic before it may hold it)
    arm(link == null ? 0 : Toxics.msUntil(chunk, link));
  }

  /** The direction ended (a FIN): the connection closes at once, as Toxiproxy's stub closes on the end of its input. */
  @Override
  public void end(Chunk end, List<Chunk> out) {
    if (timer >= 0) {
      link.cancel(timer);
    }
    out.add(Chunk.closeAfter(end));
  }

  @Override
  public void removed(LinkControl link) {
    stopped(link);
    link.close();
  }

  @Override
  public void stopped(LinkControl link) {
    if (timer >= 0) {
      link.cancel(timer);
      timer = -1;
    }
  }

  private void arm(long afterMs) {
    if (timeoutMs <= 0 || link == null) {
      return;
    }
    if (timer >= 0) {
      link.cancel(timer);
    }
    timer = link.timer(afterMs + timeoutMs, link::close);
  }
}
