package io.faultline.protocol.tcp.toxic;

import java.util.List;

/**
 * The {@code LimitDataToxic} lets {@code bytes} bytes of a direction through, cutting the chunk that
 * crosses the limit at the exact byte, then closes the connection.
 */
final class LimitDataToxic implements Toxic {

  private final long limit;
  private long sent;
  private boolean closed;

  LimitDataToxic(long limit) {
    this.limit = limit;
  }

  /** The bytes let through so far count on under new attributes, as Toxiproxy's state does (they started again from 0). */
  @Override
  public void carryFrom(Toxic before) {
    if (before instanceof LimitDataToxic limited) {
      sent = limited.sent;
      closed = limited.closed;
    }
  }

  @Override
  public void data(Chunk chunk, List<Chunk> out) {
    if (closed) {
      return;
    }
    long room = limit - sent;
    if (room >= chunk.length()) {
      out.add(chunk);
      sent += chunk.length();
    } else if (room > 0) {
      out.add(chunk.slice(0, (int) room, chunk.dueNanos()));
      sent = limit;
    }
    if (sent >= limit) {
      closed = true;
      out.add(Chunk.closeAfter(chunk));
    }
  }
}
