package io.faultline.gateway;

import io.faultline.chaos.testing.Upstreams;
import java.io.IOException;
import java.net.Socket;
import java.util.Arrays;

/** A plain TCP client of an echo server behind a tcp listener: round trips, timed, with what came back. */
final class EchoClient implements AutoCloseable {

  /** What one round trip gave: the bytes back (fewer when the connection ended first) and how long it took. */
  record Trip(byte[] bytes, long ms) {
    boolean complete(int n) {
      return Arrays.equals(bytes, Upstreams.pattern(n));
    }
  }

  final Socket socket;

  EchoClient(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    socket.setTcpNoDelay(true);
  }

  /** Sends {@code n} pattern bytes from another thread (so a slow direction cannot block the reader) and reads them back. */
  Trip trip(int n) throws Exception {
    long start = System.nanoTime();
    Thread writer = new Thread(() -> {
      try {
        socket.getOutputStream().write(Upstreams.pattern(n));
      } catch (IOException e) {
        // the connection ended: the reader sees it
      }
    });
    writer.start();
    byte[] back = read(n);
    writer.join(10_000);
    return new Trip(back, (System.nanoTime() - start) / 1_000_000);
  }

  /** Reads up to {@code n} bytes, fewer if the stream ends first. */
  byte[] read(int n) throws IOException {
    return Upstreams.readUpTo(socket.getInputStream(), n);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
