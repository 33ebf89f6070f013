import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;

/**
 * The TCP upstream and client of deploy/bench/tcp.sh (plain blocking sockets, nothing else to install).
 *
 * <pre>
 *   java TcpBench.java server PORT                 an upstream: a connection that starts with 'S' gets bytes
 *                                                  as fast as it reads them; one that starts with 'E' is echoed
 *   java TcpBench.java throughput PORT SECONDS     reads an 'S' stream for SECONDS (after 1 s unmeasured):
 *                                                  prints "bytes_per_second N"
 *   java TcpBench.java latency PORT COUNT          COUNT round trips of 64 bytes on one 'E' connection:
 *                                                  prints "p50_us N p99_us N mean_us N"
 * </pre>
 */
public final class TcpBench {

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "server" -> serve(Integer.parseInt(args[1]));
      case "throughput" -> throughput(Integer.parseInt(args[1]), Double.parseDouble(args[2]));
      case "latency" -> latency(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
      default -> throw new IllegalArgumentException("server | throughput | latency, got " + args[0]);
    }
  }

  private static void serve(int port) throws IOException {
    try (ServerSocket server = new ServerSocket(port, 512, InetAddress.getLoopbackAddress())) {
      while (true) {
        Socket socket = server.accept();
        Thread thread = new Thread(() -> handle(socket));
        thread.setDaemon(true);
        thread.start();
      }
    }
  }

  private static void handle(Socket socket) {
    try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
      socket.setTcpNoDelay(true);
      int mode = in.read();
      byte[] buffer = new byte[64 * 1024];
      if (mode == 'S') {
        Arrays.fill(buffer, (byte) 'x');
        while (true) {
          out.write(buffer);
        }
      }
      for (int n; (n = in.read(buffer)) > 0; ) {
        out.write(buffer, 0, n);
      }
    } catch (IOException e) {
      // the client went away: that is how every measurement ends
    }
  }

  private static void throughput(int port, double seconds) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.getOutputStream().write('S');
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[256 * 1024];
      long rampEnd = System.nanoTime() + 1_000_000_000L;
      while (System.nanoTime() < rampEnd) {
        in.read(buffer);
      }
      long start = System.nanoTime();
      long end = start + (long) (seconds * 1e9);
      long bytes = 0;
      while (System.nanoTime() < end) {
        int n = in.read(buffer);
        if (n < 0) {
          throw new IOException("the stream ended after " + bytes + " bytes");
        }
        bytes += n;
      }
      System.out.printf("bytes_per_second %d%n", (long) (bytes / ((System.nanoTime() - start) / 1e9)));
    }
  }

  private static void latency(int port, int count) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setTcpNoDelay(true);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write('E');
      byte[] ping = new byte[64];
      byte[] pong = new byte[64];
      long[] micros = new long[count];
      for (int i = -count / 10; i < count; i++) { // the first tenth warms the connection and is not kept
        long start = System.nanoTime();
        out.write(ping);
        for (int got = 0; got < 64; ) {
          int n = in.read(pong, got, 64 - got);
          if (n < 0) {
            throw new IOException("the connection ended");
          }
          got += n;
        }
        if (i >= 0) {
          micros[i] = (System.nanoTime() - start) / 1_000;
        }
      }
      Arrays.sort(micros);
      System.out.printf("p50_us %d p99_us %d mean_us %d%n", micros[count / 2], micros[(int) (count * 0.99)],
          Arrays.stream(micros).sum() / count);
    }
  }
}
