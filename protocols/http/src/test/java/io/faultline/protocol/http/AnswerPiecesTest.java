package io.faultline.protocol.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.listener.UpstreamChannel;
import io.faultline.chaos.testing.Upstreams;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Answers' bodies on the plain path go from the upstream's socket to the client's without a copy
 * ({@link UpstreamChannel#pass}): every byte arrives as sent, and every pooled piece goes back to the pool, whether the
 * answer ends, the client leaves in the middle, or the upstream breaks off.
 */
class AnswerPiecesTest {

  private static final String[] MODES = {"off", "zero", "delayed"};

  private Vertx vertx;
  private HttpServer upstream;
  private HttpClientAgent client;
  private io.vertx.ext.web.client.WebClient web;
  private int proxyPort;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  /** Bytes {@code size} long from {@code seed}: every body differs, and one in the wrong place shows. */
  private static byte[] body(long seed, int size) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  /** The upstream: GET /SIZE?seed=N[&chunked] answers body(N, SIZE), in pieces of at most 20,000 bytes. */
  private void upstream(io.vertx.core.Handler<HttpServerRequest> special) {
    upstream = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(Upstreams.portToListenOn())).requestHandler(req -> {
      if (special != null && req.path().startsWith("/special")) {
        special.handle(req);
        return;
      }
      byte[] bytes = body(Long.parseLong(req.getParam("seed")), Integer.parseInt(req.path().substring(1)));
      HttpServerResponse response = req.response();
      if (req.getParam("chunked") != null) {
        response.setChunked(true);
      } else {
        response.putHeader("Content-Length", Integer.toString(bytes.length));
      }
      for (int offset = 0; offset < bytes.length; offset += 20_000) {
        response.write(Buffer.buffer(java.util.Arrays.copyOfRange(bytes, offset, Math.min(bytes.length, offset + 20_000))));
      }
      response.end();
    });
    upstream.listen().await();
  }

  private void proxy(String mode) {
    ListenerConfig listener = new ListenerConfig("web", "http", "127.0.0.1", 0, "http://127.0.0.1:" + upstream.actualPort(),
        null, 5_000L, null, 1, null, null);
    HttpProxyVerticle proxy = new HttpProxyVerticle(listener, new io.faultline.chaos.state.ChaosState(GatewayFixture.chaos(
        HttpProxyVerticleTest.chaos(mode)), System::nanoTime, 42), new io.faultline.chaos.listener.ConnectionGate());
    vertx.deployVerticle(proxy).await();
    proxyPort = proxy.actualPort();
    client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(proxyPort));
    web = io.vertx.ext.web.client.WebClient.create(vertx, new io.vertx.ext.web.client.WebClientOptions()
        .setDefaultHost("127.0.0.1").setDefaultPort(proxyPort));
  }

  /**
   * The body of GET {@code uri}, by a WebClient: it takes the body as the answer comes (an HttpClient's
   * {@code send().compose(body)} called from outside Vert.x may miss an end that came first, and wait for ever).
   */
  private Buffer get(String uri) {
    Buffer body = web.get(uri).send().await().bodyAsBuffer();
    return body != null ? body : Buffer.buffer();
  }

  /** Waits (at most 5 s: writes finish after the client has read them) for every passed piece to be back in the pool. */
  private static void allPiecesGoBack() throws InterruptedException {
    long deadline = System.currentTimeMillis() + 5_000;
    while (UpstreamChannel.outstanding() != 0 && System.currentTimeMillis() < deadline) {
      Thread.sleep(10);
    }
    assertThat(UpstreamChannel.outstanding()).as("pooled pieces not given back").isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"off", "zero", "delayed"})
  void bodiesOfEverySizeArriveAsSentAndEveryPieceGoesBack(String mode) throws Exception {
    upstream(null);
    proxy(mode);
    long seed = 1;
    for (int round = 0; round < 3; round++) { // kept-alive connections carry one answer after another
      for (int size : new int[] {0, 1, 100, 8_191, 8_193, 65_536, 1_000_003}) {
        for (String framing : new String[] {"", "&chunked"}) {
          seed++;
          assertThat(get("/" + size + "?seed=" + seed + framing).getBytes()).as(size + framing).isEqualTo(body(seed, size));
        }
      }
    }
    allPiecesGoBack();
  }

  @ParameterizedTest
  @ValueSource(strings = {"off", "zero"})
  void aClientThatLeavesInTheMiddleOfABodyLeavesNoPieceBehind(String mode) throws Exception {
    upstream(null);
    proxy(mode);
    for (int i = 0; i < 5; i++) {
      try (Socket socket = new Socket("127.0.0.1", proxyPort)) {
        OutputStream out = socket.getOutputStream();
        out.write(("GET /8000000?seed=" + i + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        byte[] some = new byte[100_000];
        int read = 0;
        while (read < some.length) {
          int n = in.read(some, read, some.length - read);
          assertThat(n).isPositive();
          read += n;
        }
      } // and leaves, 8 MB unread
    }
    allPiecesGoBack();
    assertThat(get("/65536?seed=99").getBytes()).isEqualTo(body(99, 65_536));
    allPiecesGoBack();
  }

  @ParameterizedTest
  @ValueSource(strings = {"off", "zero"})
  void anUpstreamThatBreaksOffInTheMiddleOfABodyLeavesNoPieceBehind(String mode) throws Exception {
    upstream(req -> {
      req.response().putHeader("Content-Length", "1000000").write(Buffer.buffer(body(7, 300_000)));
      vertx.setTimer(50, id -> req.connection().close());
    });
    proxy(mode);
    for (int i = 0; i < 3; i++) {
      Promise<Long> outcome = Promise.promise();
      vertx.runOnContext(start -> client.request(HttpMethod.GET, "/special").compose(r -> r.send()).onSuccess(resp -> {
        long[] count = {0};
        resp.handler(b -> count[0] += b.length());
        resp.endHandler(v -> outcome.tryComplete(count[0]));
        resp.exceptionHandler(e -> outcome.tryComplete(-count[0]));
      }).onFailure(outcome::tryFail)); // asked on a context, the answer's events come to it in order, after its handlers are set
      long got = outcome.future().await();
      assertThat(got).as("the client sees the answer broken off, after what the upstream sent").isEqualTo(-300_000L);
    }
    allPiecesGoBack();
  }

  @ParameterizedTest
  @ValueSource(strings = {"off", "zero"})
  void aSlowClientGetsAllOfAnAnswerWhoseUpstreamClosedRightAfterIt(String mode) throws Exception {
    int size = 16_000_000; // more than the sockets between hold: the gateway holds pieces while the client waits
    upstream(req -> req.response().putHeader("Connection", "close").end(Buffer.buffer(body(11, size))));
    proxy(mode);
    Promise<Buffer> whole = Promise.promise();
    long[] heldWhilePaused = {0};
    vertx.runOnContext(start -> client.request(HttpMethod.GET, "/special").compose(r -> r.send()).onSuccess(resp -> {
      resp.pause(); // the gateway holds what it read; the upstream has closed by the time the client reads
      Buffer all = Buffer.buffer();
      resp.handler(all::appendBuffer);
      resp.endHandler(v -> whole.tryComplete(all));
      resp.exceptionHandler(whole::tryFail);
      vertx.setTimer(500, id -> {
        heldWhilePaused[0] = UpstreamChannel.outstanding();
        resp.resume();
      });
    }).onFailure(whole::tryFail));
    assertThat(whole.future().await().getBytes()).isEqualTo(body(11, size));
    assertThat(heldWhilePaused[0]).as("pieces passed without a copy, held while the client waited").isPositive();
    allPiecesGoBack();
  }
  /** What a raw HTTP/1.x client reads of the answer to {@code request}, head and body, until the gateway closes the connection. */
  private byte[] readToClose(String request, long pauseMs) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", proxyPort)) {
      socket.setSoTimeout(15_000); // a connection never closed fails the test, not the build
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
      byte[] buffer = new byte[65536];
      int n = in.read(buffer);
      if (n > 0) {
        all.write(buffer, 0, n);
      }
      Thread.sleep(pauseMs); // a slow client: the answer waits in the sockets and the gateway meanwhile
      while ((n = in.read(buffer)) > 0) {
        all.write(buffer, 0, n);
      }
      return all.toByteArray();
    }
  }

  /** The answer's body is body(seed, size), told by its length and then its bytes (24 MB printed help nobody). */
  private static void assertWhole(byte[] answer, long seed, int size, String what) {
    byte[] got = java.util.Arrays.copyOfRange(answer, headEnd(answer), answer.length);
    assertThat(got.length).as(what + ": bytes").isEqualTo(size);
    assertThat(java.util.Arrays.equals(got, body(seed, size))).as(what + ": as sent").isTrue();
  }

  private static int headEnd(byte[] answer) {
    for (int i = 0; i + 3 < answer.length; i++) {
      if (answer[i] == '\r' && answer[i + 1] == '\n' && answer[i + 2] == '\r' && answer[i + 3] == '\n') {
        return i + 4;
      }
    }
    return -1;
  }

  /**
   * An answer on a connection that closes after it (an HTTP/1.0 client asking keep-alive, whose chunked answer ends
   * with the close; an HTTP/1.1 client sending Connection: close among other tokens) goes out whole however slowly
   * it is read: the connection was closed 30 s after the answer began (Vert.x's shutdown() default), cutting it,
   * and the HTTP/1.0 client could not tell.
   */
  @org.junit.jupiter.api.Test
  void anAnswerBeforeAClosingConnectionsCloseGoesOutWholeHoweverSlowlyItIsRead() throws Exception {
    upstream(null);
    proxy("off");
    int size = 24_000_000;
    java.util.concurrent.CompletableFuture<byte[]> oldClient = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return readToClose("GET /" + size + "?seed=5&chunked HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 31_000);
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    byte[] newClient = readToClose("GET /" + size + "?seed=6 HTTP/1.1\r\nHost: x\r\nConnection: close, x-trace\r\n\r\n", 31_000);
    byte[] old = oldClient.get(60, java.util.concurrent.TimeUnit.SECONDS);
    assertWhole(old, 5, size, "HTTP/1.0, close-delimited");
    assertWhole(newClient, 6, size, "Connection: close, x-trace");
    allPiecesGoBack();
  }

  /**
   * An HTTP/1.0 client whose answer has no length, broken off by the upstream after its head, is not left waiting:
   * the head could not go out alone (Vert.x refused it, and the exception left the connection open for ever).
   */
  @org.junit.jupiter.api.Test
  void anHttp10ClientWhoseAnswerBrokeOffAfterItsHeadIsNotLeftWaiting() throws Exception {
    upstream(req -> {
      req.response().setChunked(true).writeHead();
      vertx.setTimer(100, id -> req.connection().close());
    });
    proxy("off");
    long started = System.nanoTime();
    byte[] answer = readToClose("GET /special HTTP/1.0\r\n\r\n", 0);
    assertThat(java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(10_000L);
    assertThat(answer).as("nothing that looks like a whole answer").isEmpty();
  }
}
