package io.faultline.protocol.tcp.toxic;

import io.vertx.core.buffer.Buffer;

/**
 * A piece of one direction of a connection on its way through the toxics: bytes ({@link Kind#DATA}), the
 * end of the direction ({@link Kind#END}: the source closed, so the destination is closed after what came
 * before), or a close a toxic asks for ({@link Kind#CLOSE}: the whole connection ends). Each carries its
 * timestamp, as Toxiproxy's chunks do (when it reached the proxy, moved on by each latency that held it), and when it
 * is due at the destination; toxics move the due time later.
 */
public final class Chunk {

  /** What a chunk is. */
  public enum Kind { DATA, END, CLOSE }

  private final Kind kind;
  private final Buffer data;
  private long stampNanos;
  private long dueNanos;

  private Chunk(Kind kind, Buffer data, long stampNanos, long dueNanos) {
    this.kind = kind;
    this.data = data;
    this.stampNanos = stampNanos;
    this.dueNanos = dueNanos;
  }

  /** Bytes that reached the proxy at {@code nowNanos}, due at once. */
  public static Chunk data(Buffer data, long nowNanos) {
    return new Chunk(Kind.DATA, data, nowNanos, nowNanos);
  }

  /** The end of a direction that reached the proxy at {@code nowNanos}. */
  public static Chunk end(long nowNanos) {
    return new Chunk(Kind.END, null, nowNanos, nowNanos);
  }

  /** A close of the connection, due when {@code after} is. */
  public static Chunk closeAfter(Chunk after) {
    return new Chunk(Kind.CLOSE, null, after.stampNanos, after.dueNanos);
  }

  /** Bytes {@code from} to {@code to} of this chunk, stamped as it is and due at {@code dueNanos}. */
  public Chunk slice(int from, int to, long dueNanos) {
    return new Chunk(Kind.DATA, data.slice(from, to), stampNanos, dueNanos);
  }

  public Kind kind() {
    return kind;
  }

  /** The bytes (null unless {@link Kind#DATA}). */
  public Buffer data() {
    return data;
  }

  public int length() {
    return data == null ? 0 : data.length();
  }

  /**
   * The chunk's timestamp: when it reached the proxy, moved on by what each latency toxic held it for (so latencies one
   * after another add up, and time spent in another toxic before a latency counts towards it).
   */
  public long stampNanos() {
    return stampNanos;
  }

  /** Moves the timestamp on by {@code nanos} (a latency toxic's sleep, which Toxiproxy adds to its chunk's timestamp). */
  Chunk stampedLater(long nanos) {
    stampNanos += nanos;
    return this;
  }

  public long dueNanos() {
    return dueNanos;
  }

  /** Moves the due time to {@code nanos} if that is earlier: what the link does when no toxic is left to hold it. */
  public Chunk dueBy(long nanos) {
    dueNanos = Math.min(dueNanos, nanos);
    return this;
  }

  /** Moves the due time to {@code nanos} if that is later (a toxic never makes bytes earlier). */
  public Chunk notBefore(long nanos) {
    dueNanos = Math.max(dueNanos, nanos);
    return this;
  }
}
