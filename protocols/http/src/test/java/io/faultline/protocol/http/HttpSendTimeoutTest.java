package io.faultline.protocol.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.testing.Upstreams;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.impl.ConnectionBase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client that stops reading its answer (nginx's {@code send_timeout}): its connection is closed once it has
 * taken nothing for the listener's {@code send_timeout_ms}, and the upstream's answer is broken off with it,
 * where both were held for ever. A slow reader that keeps taking bytes is never cut. Both paths: an untouched
 * exchange (the plain path) and one chaos throttles (the interceptor chain).
 */
class HttpSendTimeoutTest {

  private static final Buffer CHUNK = Buffer.buffer(new byte[16 * 1024]);
  private static final String THROTTLED = "{\"enabled\": true, \"traffic_shaping\": {\"bandwidth_limit_bps\": 50000000}}";

  /** Answers {@code /endless} with a body that never ends, {@code /sized/N} with N bytes; counts answers broken off. */
  private static final class Upstream implements AutoCloseable {

    final AtomicInteger brokenOff = new AtomicInteger();
    final HttpServer server;

    Upstream(io.vertx.core.Vertx vertx) {
      server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(Upstreams.portToListenOn())).requestHandler(req -> {
        HttpServerResponse response = req.response();
        response.closeHandler(v -> {
          if (!response.ended()) {
            brokenOff.incrementAndGet();
          }
        });
        if (req.path().equals("/endless")) {
          response.setChunked(true);
          pump(response, new long[] {Long.MAX_VALUE});
        } else {
          long size = Long.parseLong(req.path().substring("/sized/".length()));
          response.putHeader("Content-Length", Long.toString(size));
          pump(response, new long[] {size});
        }
      });
      server.listen().await();
    }

    String url() {
      return "http://127.0.0.1:" + server.actualPort();
    }

    @Override
    public void close() {
      server.close().await();
    }
  }

  private static void pump(HttpServerResponse response, long[] remaining) {
    while (remaining[0] > 0 && !response.writeQueueFull() && !response.closed()) {
      int n = (int) Math.min(CHUNK.length(), remaining[0]);
      remaining[0] -= n;
      response.write(n == CHUNK.length() ? CHUNK : CHUNK.slice(0, n));
    }
    if (remaining[0] == 0) {
      response.end();
    } else if (!response.closed()) {
      response.drainHandler(v -> pump(response, remaining));
    }
  }

  /** A socket whose owner reads nothing (its receive buffer small, so the gateway's send buffer fills soon). */
  private static Socket stalledClient(int port, String path) throws IOException {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(4096);
    socket.connect(new InetSocketAddress("127.0.0.1", port));
    socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    return socket;
  }

  /** Reads what is left and answers whether the gateway ended the connection (EOF or reset) before {@code withinMs}. */
  private static boolean ended(Socket socket, long withinMs) throws IOException {
    socket.setSoTimeout((int) withinMs);
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[64 * 1024];
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(withinMs);
    try {
      while (System.nanoTime() < deadline) {
        if (in.read(buffer) < 0) {
          return true;
        }
      }
      return false;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (SocketException e) {
      return true; // reset: closed with bytes it had not read
    }
  }

  private static void waitFor(java.util.function.BooleanSupplier condition, long ms) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"plain", "throttled"})
  void aClientThatStopsReadingIsCutAndTheUpstreamsAnswerWithIt(String path) throws Exception {
    try (Setup setup = new Setup(path.equals("plain") ? null : THROTTLED, 1_000)) {
      long started = System.nanoTime();
      try (Socket client = stalledClient(setup.port, "/endless")) {
        waitFor(() -> setup.upstream.brokenOff.get() == 1, 10_000);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertThat(setup.upstream.brokenOff).as("the upstream's endless answer broken off").hasValue(1);
        assertThat(tookMs).as("not before the send timeout").isGreaterThanOrEqualTo(1_000);
        assertThat(ended(client, 5_000)).as("the client's connection closed").isTrue();
      }
    }
  }

  /**
   * A reader that takes 1 MB at a time with a pause of a quarter of the send timeout between: the gateway's socket
   * stays full for longer than the timeout in all (the body is twice the most Linux buffers for a socket), but never
   * goes a timeout without taking something, so it is never cut. (What the gateway sees is the kernel asking for
   * more, once about a third of the socket's send buffer, up to 4 MB, is free: a reader must take that much in each
   * timeout, as with nginx.)
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"plain", "throttled"})
  void aSlowReaderIsNeverCut(String path) throws Exception {
    int size = 10_000_000;
    try (Setup setup = new Setup(path.equals("plain") ? null : THROTTLED, 1_000);
        Socket client = stalledClient(setup.port, "/sized/" + size)) {
      client.setSoTimeout(5_000);
      InputStream in = client.getInputStream();
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        head.write(in.read());
      }
      assertThat(head.toString(StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200").containsIgnoringCase("content-length: " + size);
      long body = 0;
      byte[] buffer = new byte[64 * 1024];
      long started = System.nanoTime();
      Thread.sleep(250);
      while (body < size) {
        for (long burst = 0; burst < 1_000_000 && body < size; ) {
          int n = in.read(buffer, 0, (int) Math.min(buffer.length, size - body));
          assertThat(n).as("bytes after " + body).isPositive();
          body += n;
          burst += n;
        }
        Thread.sleep(250);
      }
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).as("read slowly for longer than the send timeout")
          .isGreaterThan(2_000);
      assertThat(body).isEqualTo(size);
      assertThat(setup.upstream.brokenOff).hasValue(0);
    }
  }

  /** An h2c client with {@code windows} ({@code default}: 64 KiB, as HTTP/2's; {@code largest}: as HTTP/2 allows). */
  private static HttpClientAgent h2(Setup setup, String windows) {
    HttpClientOptions options = new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false).setDefaultHost("127.0.0.1").setDefaultPort(setup.port);
    if (windows.equals("largest")) {
      options.setHttp2ConnectionWindowSize(Integer.MAX_VALUE)
          .setInitialSettings(new io.vertx.core.http.Http2Settings().setInitialWindowSize(Integer.MAX_VALUE));
    }
    return setup.gw.vertx.createHttpClient(options);
  }

  /**
   * With the largest windows the gateway writes until the sockets' buffers are full (its channel is not writable);
   * with the default ones it stops at the client's window, which the kernel's buffers take whole, and the client's
   * silence shows as PINGs unanswered.
   */
  @ParameterizedTest(name = "{0} windows, send_timeout_ms {1}")
  @CsvSource({"largest, 1000", "default, 1000", "default, 0"})
  void anHttp2ClientThatStopsReadingItsConnectionIsCutUnlessTheTimeoutIsOff(String windows, long sendTimeoutMs) throws Exception {
    try (Setup setup = new Setup(null, sendTimeoutMs)) {
      HttpClientAgent h2 = h2(setup, windows);
      CompletableFuture<Void> closed = new CompletableFuture<>();
      HttpClientRequest request = h2.request(HttpMethod.GET, "/endless").await();
      request.connection().closeHandler(v -> closed.complete(null));
      HttpClientResponse response = request.send().await();
      assertThat(response.statusCode()).isEqualTo(200);
      // the client stops reading its socket (a Vert.x HTTP/2 client otherwise reads all along)
      ((ConnectionBase) request.connection()).channel().config().setAutoRead(false);
      waitFor(() -> setup.upstream.brokenOff.get() == 1, sendTimeoutMs == 0 ? 3_000 : 10_000);
      if (sendTimeoutMs == 0) {
        assertThat(setup.upstream.brokenOff).as("held: no send timeout").hasValue(0);
      } else {
        assertThat(setup.upstream.brokenOff).as("the upstream's endless answer broken off").hasValue(1);
        ((ConnectionBase) request.connection()).channel().config().setAutoRead(true);
        closed.get(5, TimeUnit.SECONDS);
      }
    }
  }

  @org.junit.jupiter.api.Test
  void anHttp2ClientThatHoldsAStreamBackWithItsWindowWhileReadingItsConnectionIsNotCut() throws Exception {
    int size = 2_000_000;
    try (Setup setup = new Setup(null, 500)) {
      HttpClientAgent h2 = h2(setup, "default");
      HttpClientRequest request = h2.request(HttpMethod.GET, "/sized/" + size).await();
      CompletableFuture<Void> closed = new CompletableFuture<>();
      request.connection().closeHandler(v -> closed.complete(null));
      CompletableFuture<Integer> read = new CompletableFuture<>();
      HttpClientResponse response = request.send().map(answer -> { // on the event loop, before any of the body
        answer.body().map(Buffer::length).onComplete(body -> {
          if (body.succeeded()) {
            read.complete(body.result());
          } else {
            read.completeExceptionally(body.cause());
          }
        });
        answer.pause(); // the client takes none of the body: its window for the stream closes
        return answer;
      }).await();
      Thread.sleep(3_000);
      assertThat(closed).as("not cut: the client answers PINGs").isNotDone();
      response.resume();
      assertThat(read.get(10, TimeUnit.SECONDS)).isEqualTo(size);
    }
  }

  /** A gateway whose listener has {@code sendTimeoutMs}, in front of an {@link Upstream} on the same Vert.x. */
  private static final class Setup implements AutoCloseable {

    /** The upstream's own Vert.x: it is up before the gateway's listener can name it. */
    private final io.vertx.core.Vertx upstreamVertx = io.vertx.core.Vertx.vertx();
    final Upstream upstream = new Upstream(upstreamVertx);
    final GatewayFixture gw;
    final int port;

    Setup(String chaos, long sendTimeoutMs) {
      ListenerConfig listener = new ListenerConfig("web", "http", "127.0.0.1", 0, upstream.url(), null, 30_000L, null, 1, null, null)
          .withSendTimeout(sendTimeoutMs);
      gw = new GatewayFixture(chaos, listener);
      port = gw.port;
    }

    @Override
    public void close() {
      gw.close();
      upstreamVertx.close().await();
    }
  }
}
