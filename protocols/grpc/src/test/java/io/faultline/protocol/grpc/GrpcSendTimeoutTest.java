package io.faultline.protocol.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A gRPC client that stops reading its connection (its socket: the gateway's send buffer stays full) is cut at the
 * listener's {@code send_timeout_ms}, and the upstream's call is cancelled with it, where both were held for ever;
 * with the timeout off it is held. Calls relayed as streams (chaos off) and decoded (a delay).
 */
class GrpcSendTimeoutTest {

  @ParameterizedTest(name = "{0}, send_timeout_ms {1}, {2} windows")
  @CsvSource({"off, 1000, largest", "off, 1000, default", "touched, 1000, default", "off, 0, default"})
  void aClientThatStopsReadingItsConnectionIsCut(String mode, long sendTimeoutMs, String windows) throws Exception {
    String chaos = mode.equals("off") ? null : GrpcProxyVerticleTest.TOUCHED;
    try (GrpcFixture gw = GrpcFixture.withSendTimeout(chaos, sendTimeoutMs)) {
      // the largest windows: the gateway writes until the sockets' buffers are full; the default (64 KiB): it stops at
      // the client's window, and the client's silence shows as PINGs unanswered
      HttpClientOptions options = new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
          .setHttp2ClearTextUpgrade(false).setDefaultHost("127.0.0.1").setDefaultPort(gw.port);
      if (windows.equals("largest")) {
        options.setHttp2ConnectionWindowSize(Integer.MAX_VALUE).setInitialSettings(new Http2Settings().setInitialWindowSize(Integer.MAX_VALUE));
      }
      HttpClientAgent h2 = gw.vertx.createHttpClient(options);
      CompletableFuture<Void> closed = new CompletableFuture<>();
      HttpClientRequest request = h2.request(HttpMethod.POST, "/test.Echo/Flood").await();
      request.connection().closeHandler(v -> closed.complete(null));
      request.putHeader("content-type", "application/grpc").putHeader("te", "trailers");
      HttpClientResponse response = request.send(Buffer.buffer(new byte[] {0, 0, 0, 0, 1, 'x'})).await();
      assertThat(response.statusCode()).isEqualTo(200);
      ((ConnectionBase) request.connection()).channel().config().setAutoRead(false); // the client reads no more
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(sendTimeoutMs == 0 ? 3 : 10);
      while (gw.upstreamCancels.get() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      if (sendTimeoutMs == 0) {
        assertThat(gw.upstreamCancels).as("held: no send timeout").hasValue(0);
        assertThat(closed).isNotDone();
      } else {
        assertThat(gw.upstreamCancels).as("the upstream's call cancelled").hasValue(1);
        ((ConnectionBase) request.connection()).channel().config().setAutoRead(true);
        closed.get(5, TimeUnit.SECONDS);
      }
    }
  }
}
