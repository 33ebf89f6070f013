package io.faultline.protocol.tcp.toxic;

import java.util.List;

/**
 * What one toxic does to the bytes of one direction of one connection: each chunk that reaches it goes on
 * as it came, later, cut into pieces, or not at all. One instance runs on one link, so it may keep state
 * (bytes sent so far, a pacing timeline). Toxics run in the order they were added, as in Toxiproxy.
 *
 * <pre>
 *   source ─► chunk ─► toxic 1 ─► toxic 2 ─► … ─► queue (due times, back-pressure) ─► destination
 * </pre>
 */
public interface Toxic {

  /** {@code chunk} (bytes) passes this toxic: add what goes on to {@code out}. */
  void data(Chunk chunk, List<Chunk> out);

  /** The end of the direction passes this toxic: by default it goes on as it came. */
  default void end(Chunk end, List<Chunk> out) {
    out.add(end);
  }

  /** The toxic starts acting on a link (when the connection is relayed, or when the toxic is added). */
  default void start(LinkControl link) {
  }

  /** The toxic is removed from a link that stays open (a timeout then closes the connection, as Toxiproxy's does). */
  default void removed(LinkControl link) {
  }

  /**
   * The toxic stops acting on a link without being removed from its proxy: it was updated (a new instance takes
   * over, {@link #carryFrom}), or its toxicity's new draw leaves this connection out. As Toxiproxy's UpdateToxic,
   * which interrupts a toxic and runs it again: nothing closes (an updated timeout closed every connection under it).
   */
  default void stopped(LinkControl link) {
  }

  /** This toxic takes over from {@code before}, the same toxic before an update: the state it keeps (bytes let through). */
  default void carryFrom(Toxic before) {
  }
}
