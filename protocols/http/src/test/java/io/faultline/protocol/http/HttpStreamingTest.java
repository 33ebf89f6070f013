package io.faultline.protocol.http;

import io.faultline.chaos.listener.ConnectionGate;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.config.ChaosConfig;
import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.state.ChaosState;
import io.faultline.chaos.testing.Upstreams;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** Bodies are streamed with back-pressure, never held whole; hop-by-hop headers stop at the proxy. */
class HttpStreamingTest {

  private static final long ONE_GIB = 1L << 30;
  private static final Buffer CHUNK = Buffer.buffer(new byte[64 * 1024]);

  /** Writes {@code remaining} bytes generated on the fly, pausing whenever the connection's write queue is full. */
  private static void pump(HttpServerResponse response, long[] remaining) {
    while (remaining[0] > 0 && !response.writeQueueFull()) {
      int n = (int) Math.min(CHUNK.length(), remaining[0]);
      remaining[0] -= n;
      response.write(n == CHUNK.length() ? CHUNK : CHUNK.slice(0, n));
    }
    if (remaining[0] == 0) {
      response.end();
    } else {
      response.drainHandler(v -> pump(response, remaining));
    }
  }

  /** A client of a proxy (chaos off) in front of {@code upstream}, which it starts. */
  private static HttpClientAgent throughProxy(Vertx vertx, HttpServer upstream) {
    return throughProxy(vertx, upstream, "off");
  }

  /** As {@link #throughProxy(Vertx, HttpServer)}, in {@code mode}: chaos off, a bulkhead on every exchange, or an h2c client. */
  private static HttpClientAgent throughProxy(Vertx vertx, HttpServer upstream, String mode) {
    upstream.listen().await();
    ListenerConfig listener = new ListenerConfig("web", "http", "127.0.0.1", 0, "http://127.0.0.1:" + upstream.actualPort(),
        null, 30_000L, null, 1, null, null);
    String chaos = HttpProxyVerticleTest.chaos(mode);
    ChaosState state = new ChaosState(chaos == null ? ChaosConfig.off() : io.faultline.chaos.config.ChaosJson.parse(chaos, ChaosConfig.class, ""));
    HttpProxyVerticle proxy = new HttpProxyVerticle(listener, state, new ConnectionGate());
    vertx.deployVerticle(proxy).await();
    HttpClientOptions options = new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(proxy.actualPort());
    if (mode.equals("h2c")) {
      options.setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false);
    }
    return vertx.createHttpClient(options);
  }

  @Test
  void aOneGibDownloadStreamsThroughWithoutBeingHeldInMemory() {
    // The test JVM has -Xmx1g: a proxy that buffered the body could not pass 1 GiB through.
    Vertx vertx = Vertx.vertx();
    try {
      HttpServer upstream = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(Upstreams.portToListenOn()))
          .requestHandler(req -> {
            req.response().putHeader("Content-Length", Long.toString(ONE_GIB));
            pump(req.response(), new long[] {ONE_GIB});
          });
      HttpClientAgent client = throughProxy(vertx, upstream);
      Promise<Long> received = Promise.promise();
      client.request(HttpMethod.GET, "/big").compose(r -> r.send()).onSuccess(resp -> {
        long[] count = {0};
        resp.handler(buf -> count[0] += buf.length());
        resp.endHandler(v -> received.complete(count[0]));
        resp.exceptionHandler(received::tryFail);
      }).onFailure(received::tryFail);
      assertThat(received.future().await()).isEqualTo(ONE_GIB);
    } finally {
      vertx.close().await();
    }
  }

  /**
   * An answer's head reaches the client when it reaches the gateway, not with the first bytes of a body that comes later:
   * on the proxy chain too (an HTTP/2 client's, an exchange a bulkhead guards), where vertx-http-proxy wrote it with them.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"off", "bulkhead", "h2c"})
  void theHeadGoesOutBeforeABodyThatIsSlowToCome(String mode) {
    Vertx vertx = Vertx.vertx();
    try {
      HttpServer upstream = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(Upstreams.portToListenOn()))
          .requestHandler(req -> {
            req.response().setChunked(true).putHeader("Content-Type", "text/event-stream").writeHead();
            vertx.setTimer(1_500, id -> req.response().end("data: late\n\n"));
          });
      HttpClientAgent client = throughProxy(vertx, upstream, mode);
      long start = System.nanoTime();
      var response = client.request(HttpMethod.GET, "/events").compose(r -> r.send()).await();
      long headMs = (System.nanoTime() - start) / 1_000_000;
      assertThat(response.getHeader("Content-Type")).isEqualTo("text/event-stream");
      assertThat(headMs).as("the head before the body's 1.5 s").isLessThan(1_000);
      assertThat(response.body().await().toString()).isEqualTo("data: late\n\n");
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void hopByHopHeadersAreNotForwarded() {
    try (GatewayFixture gw = new GatewayFixture(null)) {
      JsonObject headers = gw.client.get("/x")
          .putHeader("Connection", "keep-alive, X-Hop")
          .putHeader("X-Hop", "secret")
          .putHeader("Keep-Alive", "timeout=5")
          .putHeader("Proxy-Authorization", "Basic abc")
          .putHeader("X-End-To-End", "kept")
          .send().await().bodyAsJsonObject().getJsonObject("headers");
      assertThat(headers.getString("x-end-to-end")).isEqualTo("kept");
      assertThat(headers.containsKey("x-hop")).isFalse();
      assertThat(headers.containsKey("keep-alive")).isFalse();
      assertThat(headers.containsKey("proxy-authorization")).isFalse();
    }
  }
}
