package io.faultline.protocol.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Promise;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A bandwidth limit through the real listener delivers its rate: the pacer keeps to its timeline over a long transfer. */
class HttpBandwidthTest {

  /** What a client saw of one response body: how many bytes, from the first to the last, over how long. */
  private record Transfer(long bytes, long firstToLastNanos) {
    double bytesPerSecond() {
      return bytes / (firstToLastNanos / 1e9);
    }
  }

  @Test
  void aMillionBytesPerSecondDeliversTenMegabytesAtExactlyThatRate() {
    try (GatewayFixture gw = new GatewayFixture("{\"enabled\": true, \"traffic_shaping\": {\"bandwidth_limit_bps\": 1000000}}")) {
      transfer(gw, "/bytes/100000"); // the first request of a JVM pays for loading classes, not for pacing
      Transfer transfer = transfer(gw, "/bytes/10000000");
      assertThat(transfer.bytes()).isEqualTo(10_000_000);
      // The rate the client saw, from its first body byte to its last (~10 s): within 2% of the limit.
      // Before the pacer kept a timeline each late timer was lost for good: 0.89-0.92 MB/s (11.1 s).
      assertThat(transfer.bytesPerSecond()).as("bytes per second over %d ms", TimeUnit.NANOSECONDS.toMillis(transfer.firstToLastNanos()))
          .isBetween(980_000.0, 1_020_000.0);
    }
  }

  /**
   * The kill switch reaches a transfer being throttled, as it reaches held requests: the rest of the body
   * goes at full speed. A hunt saw a 1 MB body at 100 kB/s take its whole 10 s after chaos went off; then,
   * at a low limit whose chunks are small (20 bytes at 1,000 B/s), each chunk after the switch still waited
   * a timer's millisecond (300 kB took 17 s more; a hunt saw 1 MB take 57 s).
   */
  @ParameterizedTest(name = "{1} bytes at {0} B/s")
  @CsvSource({"100000, 1000000", "1000, 300000"})
  void switchingChaosOffLetsAThrottledTransferFinishAtFullSpeed(long bytesPerSecond, long size) {
    try (GatewayFixture gw = new GatewayFixture("{\"enabled\": true, \"traffic_shaping\": {\"bandwidth_limit_bps\": " + bytesPerSecond + "}}")) {
      transfer(gw, "/bytes/10"); // class loading, off the clock
      long started = System.nanoTime();
      gw.vertx.setTimer(1_000, id -> gw.state.enable(false));
      Transfer transfer = transfer(gw, "/bytes/" + size);
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertThat(transfer.bytes()).isEqualTo(size);
      // paced all the way it takes 10 s or more; switched off after 1 s, the rest comes at once
      assertThat(tookMs).as("ms, chaos off after 1 s").isBetween(900L, 3_000L);
    }
  }

  private static Transfer transfer(GatewayFixture gw, String path) {
    HttpClientAgent client = gw.vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(gw.port));
    Promise<Transfer> result = Promise.promise();
    long[] first = {0};
    long[] last = {0};
    long[] bytes = {0};
    client.request(HttpMethod.GET, path).compose(request -> request.send()).onComplete(ar -> {
      if (ar.failed()) {
        result.fail(ar.cause());
        return;
      }
      ar.result().handler(buffer -> {
        long now = System.nanoTime();
        if (first[0] == 0) {
          first[0] = now;
        }
        last[0] = now;
        bytes[0] += buffer.length();
      });
      ar.result().exceptionHandler(result::tryFail);
      ar.result().endHandler(v -> result.tryComplete(new Transfer(bytes[0], last[0] - first[0])));
    });
    Transfer transfer = result.future().await();
    client.close().await();
    return transfer;
  }
}
