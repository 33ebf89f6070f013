package io.faultline.protocol.tcp.toxic;

/**
 * What a toxic may do to the link (one direction of one connection) it runs on, beyond shaping the chunks
 * that pass it: keep time, end the whole connection as Toxiproxy's toxics do (a close, or a reset), and
 * set timers that die with the link.
 */
public interface LinkControl {

  /** The clock chunks are timed with ({@link System#nanoTime}). */
  long nanoTime();

  /** Runs {@code action} on the link's event loop in {@code delayMs} (at least 1 ms), unless the link ends first. */
  long timer(long delayMs, Runnable action);

  void cancel(long timer);

  /** Closes both sides of the connection (a FIN each way), counting the toxic's close. */
  void close();

  /** Resets both sides of the connection (an RST each way: "connection reset by peer"). */
  void reset();
}
