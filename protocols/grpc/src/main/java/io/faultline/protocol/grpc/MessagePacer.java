package io.faultline.protocol.grpc;

/** Paces whole gRPC frames at a byte rate: each frame may leave once the ones before it have used their time. */
final class MessagePacer {

  private final long bytesPerSecond;
  private long nextNanos;

  MessagePacer(long bytesPerSecond) {
    this.bytesPerSecond = bytesPerSecond;
  }

  /** Books {@code bytes}; returns how many ms to wait before sending them (0: now). */
  long reserve(int bytes) {
    long now = System.nanoTime();
    long start = Math.max(now, nextNanos);
    nextNanos = start + bytes * 1_000_000_000L / bytesPerSecond;
    return (start - now) / 1_000_000;
  }
}
