package io.faultline.protocol.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client that sends without ever reading what comes back: the echo upstream's answers fill the client's
 * socket, the relay pauses the upstream, and the upstream, which cannot write, stops reading too. Both
 * connections were held until the listener's ten-minute silence timeout; the send timeout cuts them.
 */
class TcpSendTimeoutTest {

  @ParameterizedTest(name = "send_timeout_ms {0}")
  @ValueSource(longs = {1_000, 0})
  void aClientThatNeverReadsIsCutUnlessTheTimeoutIsOff(long sendTimeoutMs) throws Exception {
    try (TcpFixture tcp = new TcpFixture("{\"enabled\": false}", sendTimeoutMs);
        Socket client = new Socket()) {
      client.setReceiveBufferSize(4096);
      client.connect(new InetSocketAddress("127.0.0.1", tcp.port));
      CompletableFuture<Long> cut = new CompletableFuture<>();
      long started = System.nanoTime();
      Thread writer = new Thread(() -> {
        byte[] block = new byte[16 * 1024];
        try {
          OutputStream out = client.getOutputStream();
          while (true) {
            out.write(block); // blocks once every buffer on the way is full; fails once the gateway closed the connection
          }
        } catch (IOException e) {
          cut.complete(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        }
      });
      writer.setDaemon(true);
      writer.start();
      if (sendTimeoutMs == 0) {
        Thread.sleep(3_000);
        assertThat(cut).as("held: no send timeout").isNotDone();
        client.close(); // ends the writer
      } else {
        try {
          assertThat(cut.get(10, TimeUnit.SECONDS)).as("cut, not before the send timeout").isGreaterThanOrEqualTo(1_000);
        } catch (TimeoutException e) {
          throw new AssertionError("the connection was not cut within 10 s", e);
        }
      }
    }
  }
}
