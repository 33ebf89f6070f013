package io.faultline.protocol.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.config.ChaosConfig;
import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.listener.ConnectionGate;
import io.faultline.chaos.listener.UpstreamChannel;
import io.faultline.chaos.state.ChaosState;
import io.faultline.chaos.testing.RecordingListener;
import io.faultline.chaos.testing.Upstreams;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The ways of a GraphQL operation's upstream exchange that the other tests leave out, seen by real clients: an HTTP/1.0
 * client of an answer whose length the upstream did not give, a HEAD, a route timeout and the operation after it, a
 * client that leaves a paced answer.
 */
class GraphQlUpstreamLegTest {

  private static final String LATE = "{\"data\": {\"late\": true}}";
  private static final String HELLO = "{\"data\": {\"hello\": \"world\"}}";

  private final Vertx vertx = Vertx.vertx();
  private final RecordingListener events = new RecordingListener();
  private final AtomicInteger upstreamConnections = new AtomicInteger();
  /** Completed when the upstream sees a connection close. */
  private final Promise<Void> upstreamClosed = Promise.promise();
  /** When the upstream got the {@code slow} operation, and when it saw a connection close (nanoTime). */
  private volatile long slowAskedAt;
  private volatile long closedAt;
  /** How long the {@code upload} operation's body took to arrive whole after its head, in ms. */
  private volatile long uploadMs = -1;
  private ChaosState state;
  private int port;

  /**
   * The upstream reads the operation's text: {@code upload} answers the body's length (and notes how long the body took),
   * {@code late} sends a chunked head at once and its body 300 ms later,
   * {@code slow} answers after 3,000 ms, {@code blob} sends 200,000 bytes with their length, anything else (and a HEAD)
   * a short answer with its length; a request with {@code X-Refuse} is answered 413 at its head.
   */
  @BeforeEach
  void start() {
    HttpServer upstream = vertx.createHttpServer().connectionHandler(connection -> {
      upstreamConnections.incrementAndGet();
      connection.closeHandler(v -> {
        closedAt = System.nanoTime();
        upstreamClosed.tryComplete();
      });
    }).requestHandler(request -> {
      if (request.getHeader("X-Refuse") != null) { // at the head, without waiting for the body
        request.response().setStatusCode(413).end();
        return;
      }
      long headAt = System.nanoTime();
      request.body().onSuccess(body -> {
      String text = body.toString();
      var response = request.response().putHeader("Content-Type", "application/json");
      if (text.contains("upload")) {
        uploadMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - headAt);
        response.end("{\"data\": {\"upload\": " + body.length() + "}}");
      } else if (text.contains("late")) {
        response.setChunked(true).writeHead().onComplete(w -> vertx.setTimer(300, id -> response.end(LATE)));
      } else if (text.contains("slow")) {
        slowAskedAt = System.nanoTime();
        vertx.setTimer(3_000, id -> {
          if (!response.closed()) {
            response.end("{\"data\": {\"slow\": true}}");
          }
        });
      } else if (text.contains("blob")) {
        response.end("{\"data\": {\"blob\": \"" + "b".repeat(200_000) + "\"}}");
      } else if (request.method() == HttpMethod.HEAD) { // its length, as a GET's answer would have it
        response.putHeader("Content-Length", Integer.toString(HELLO.length())).end();
      } else {
        response.end(HELLO);
      }
    });
    }).listen(Upstreams.portToListenOn(), "127.0.0.1").await();
    state = new ChaosState(ChaosConfig.off(), System::nanoTime, 42);
    ListenerConfig listener = new ListenerConfig("gql", "graphql", "127.0.0.1", 0,
        "http://127.0.0.1:" + upstream.actualPort() + "/graphql", null, 800L, null, 1, null, null);
    GraphQlProxyVerticle verticle = new GraphQlProxyVerticle(listener, state, new ConnectionGate(), 0, events);
    vertx.deployVerticle(verticle).await();
    port = verticle.actualPort();
  }

  @AfterEach
  void close() {
    vertx.close().await();
  }

  /** A client of the listener with one connection, so the operations it sends one after the other share it. */
  private HttpClient oneConnectionClient() {
    return vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port),
        new PoolOptions().setHttp1MaxSize(1));
  }

  private static String operation(String query) {
    return new JsonObject().put("query", query).encode();
  }

  /** Everything the gateway sends on {@code socket} until it closes the connection (10 s at most). */
  private static String readToClose(Socket socket) throws Exception {
    socket.setSoTimeout(10_000);
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    InputStream in = socket.getInputStream();
    byte[] chunk = new byte[4096];
    try {
      for (int n; (n = in.read(chunk)) >= 0; ) {
        all.write(chunk, 0, n);
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the connection stayed open 10 s; the client got: " + all.toString(StandardCharsets.ISO_8859_1), e);
    }
    return all.toString(StandardCharsets.ISO_8859_1);
  }

  /**
   * HTTP/1.0 has no chunks: an answer the upstream sent without its length reaches an HTTP/1.0 client as it comes, and
   * its end is the connection's close, also when the client asked to keep the connection alive (as nginx does it).
   * Before, the head went out with neither a length nor chunks, which Vert.x refuses: the client waited for nothing.
   */
  @ParameterizedTest(name = "keep-alive asked: {0}, chaos: {1}")
  @CsvSource(delimiter = '|', value = {
      "false | off",
      "true  | off",
      "false | {\"enabled\": true, \"traffic_shaping\": {\"bandwidth_limit_bps\": 100000}}",
      "true  | {\"enabled\": true, \"traffic_shaping\": {\"bandwidth_limit_bps\": 100000}}",
      "true  | {\"enabled\": true, \"latency\": {\"fixed_delay_ms\": 10}}"})
  void anHttp10ClientGetsAnAnswerOfUnknownLengthWholeAndThenTheConnectionCloses(boolean keepAlive, String chaos) throws Exception {
    if (!chaos.equals("off")) {
      state.set(GraphQlFixture.chaos(chaos));
    }
    String body = operation("{ late }");
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.getOutputStream().write(("POST / HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
          + (keepAlive ? "\r\nConnection: keep-alive" : "") + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
      String answer = readToClose(socket);
      assertThat(answer).startsWith("HTTP/1.0 200").endsWith("\r\n\r\n" + LATE);
      assertThat(answer.toLowerCase(java.util.Locale.ROOT)).doesNotContain("transfer-encoding").doesNotContain("keep-alive");
    }
    events.await("the operation counted", () -> events.completions().size() == 1);
    assertThat(events.completions().get(0).outcome()).isEqualTo("2xx");
  }

  /** A HEAD gets the upstream's head (its length, no body), and the connection to the upstream carries the next operation. */
  @Test
  void aHeadIsAnsweredWithTheUpstreamsHeadAndTheConnectionCarriesTheNextOperation() throws Exception {
    HttpClient client = oneConnectionClient();
    Buffer[] body = {null};
    HttpClientResponse head = client.request(HttpMethod.HEAD, "/?query=%7Bhello%7D").compose(request -> request.send())
        .compose(response -> response.body().map(read -> {
          body[0] = read;
          return response;
        })).await(10, TimeUnit.SECONDS);
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.getHeader("Content-Length")).isEqualTo(Integer.toString(HELLO.length()));
    assertThat(body[0].length()).isZero();
    for (int i = 0; i < 2; i++) {
      String answer = client.request(HttpMethod.POST, "/").compose(request -> request.putHeader("Content-Type", "application/json")
          .send(operation("{ hello }"))).compose(HttpClientResponse::body).await(10, TimeUnit.SECONDS).toString();
      assertThat(answer).contains("world");
    }
    assertThat(upstreamConnections.get()).as("upstream connections").isEqualTo(1);
  }

  /**
   * An upstream slower than the route timeout (800 ms): 504 naming it, the upstream's connection closed then (not when
   * the upstream answers), and the next operation answered on a new connection.
   */
  @Test
  void aRouteTimeoutIs504AndTheNextOperationIsAnswered() throws Exception {
    HttpClient client = oneConnectionClient();
    long started = System.nanoTime();
    JsonObject[] answer = {null};
    HttpClientResponse late = client.request(HttpMethod.POST, "/").compose(request -> request.putHeader("Content-Type", "application/json")
        .send(operation("{ slow }"))).compose(response -> response.body().map(read -> {
          answer[0] = read.toJsonObject();
          return response;
        })).await(10, TimeUnit.SECONDS);
    JsonObject error = answer[0].getJsonArray("errors").getJsonObject(0);
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    assertThat(late.statusCode()).isEqualTo(504);
    assertThat(error.getJsonObject("extensions").getString("cause")).contains("800 ms");
    assertThat(tookMs).as("ms to the 504").isBetween(700L, 2_900L);
    upstreamClosed.future().await(5, TimeUnit.SECONDS);
    assertThat((closedAt - slowAskedAt) / 1_000_000).as("ms from the upstream's getting it to its connection's close: at the"
        + " timeout, not at its 3,000 ms answer").isLessThan(2_500);
    String next = client.request(HttpMethod.POST, "/").compose(request -> request.putHeader("Content-Type", "application/json")
        .send(operation("{ hello }"))).compose(HttpClientResponse::body).await(10, TimeUnit.SECONDS).toString();
    assertThat(next).contains("world");
    assertThat(upstreamConnections.get()).as("upstream connections").isEqualTo(2);
    events.await("both counted", () -> events.completions().size() == 2);
    assertThat(events.completions()).extracting(RecordingListener.Completion::outcome).containsExactly("5xx", "2xx");
  }

  /**
   * A client that leaves in the middle of a paced answer (200,000 bytes at 20,000 B/s: ten seconds) is counted dropped
   * when it leaves, the upstream's connection is closed then, and every piece of the answer given back to Netty's pool.
   */
  @Test
  void aClientLeavingAPacedAnswerIsDroppedAndItsUpstreamConnectionClosed() throws Exception {
    state.set(GraphQlFixture.chaos("{\"enabled\": true, \"traffic_shaping\": {\"bandwidth_limit_bps\": 20000}}"));
    String body = operation("{ blob }");
    long left;
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
          + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = new byte[4096];
      int read = 0;
      while (read < 5_000) {
        int n = socket.getInputStream().read(chunk);
        assertThat(n).as("the answer streams; bytes so far: " + read).isPositive();
        read += n;
      }
      left = System.nanoTime();
    }
    upstreamClosed.future().await(3, TimeUnit.SECONDS);
    events.await("the operation counted", () -> events.completions().size() == 1);
    assertThat(events.completions().get(0).outcome()).isEqualTo("dropped");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - left)).as("ms from leaving to the upstream's close").isLessThan(3_000);
    events.await("every piece given back", () -> UpstreamChannel.outstanding() == 0);
  }

  /**
   * A bandwidth limit paces the operation's request body too, as it does on the http listener: 60,000 bytes at 20,000
   * B/s reach the upstream over about 3 s (the first 20 ms of the rate at once), longer than the route's 800 ms timeout,
   * which each piece restarts; the answer is the upstream's, and the connection carries the next operation. Before, the
   * body went whole with the head whatever the limit.
   */
  @Test
  void aBandwidthLimitPacesTheRequestBodyAndEachPieceRestartsTheRouteTimeout() throws Exception {
    state.set(GraphQlFixture.chaos("{\"enabled\": true, \"traffic_shaping\": {\"bandwidth_limit_bps\": 20000}}"));
    HttpClient client = oneConnectionClient();
    String body = padded("{ upload }", 60_000);
    HttpClientResponse[] response = {null};
    String answer = client.request(HttpMethod.POST, "/").compose(request -> request.putHeader("Content-Type", "application/json")
        .send(body)).compose(r -> {
          response[0] = r;
          return r.body();
        }).await(20, TimeUnit.SECONDS).toString();
    assertThat(response[0].statusCode()).as(answer).isEqualTo(200);
    assertThat(new JsonObject(answer).getJsonObject("data").getInteger("upload")).isEqualTo(body.length());
    assertThat(uploadMs).as("ms the upstream took to get %d bytes at 20,000 B/s", body.length()).isBetween(2_500L, 15_000L);
    String next = client.request(HttpMethod.POST, "/").compose(request -> request.putHeader("Content-Type", "application/json")
        .send(operation("{ hello }"))).compose(HttpClientResponse::body).await(10, TimeUnit.SECONDS).toString();
    assertThat(next).contains("world");
    assertThat(upstreamConnections.get()).as("upstream connections").isEqualTo(1);
    events.await("both counted", () -> events.completions().size() == 2);
    assertThat(events.completions()).extracting(RecordingListener.Completion::outcome).containsExactly("2xx", "2xx");
  }

  /**
   * An upstream that answers a paced upload before its end (a 413 at the head) is answered at once: the upload stops,
   * the client gets the 413 long before the 3 s the body would take, and the connection, mid-request, is closed rather
   * than given the next operation, which goes on a new one.
   */
  @Test
  void anAnswerBeforeAPacedUploadsEndStopsItAndTheConnectionIsNotReused() throws Exception {
    state.set(GraphQlFixture.chaos("{\"enabled\": true, \"traffic_shaping\": {\"bandwidth_limit_bps\": 20000}}"));
    HttpClient client = oneConnectionClient();
    long started = System.nanoTime();
    int status = client.request(HttpMethod.POST, "/").compose(request -> request.putHeader("Content-Type", "application/json")
        .putHeader("X-Refuse", "1").send(padded("{ hello }", 60_000))).map(HttpClientResponse::statusCode).await(20, TimeUnit.SECONDS);
    assertThat(status).isEqualTo(413);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).as("ms to the 413").isLessThan(2_000);
    upstreamClosed.future().await(5, TimeUnit.SECONDS);
    String next = client.request(HttpMethod.POST, "/").compose(request -> request.putHeader("Content-Type", "application/json")
        .send(operation("{ hello }"))).compose(HttpClientResponse::body).await(10, TimeUnit.SECONDS).toString();
    assertThat(next).contains("world");
    assertThat(upstreamConnections.get()).as("upstream connections").isEqualTo(2);
  }

  /** {@code query} as an operation of about {@code bytes} bytes: a padding extension the upstream ignores. */
  private static String padded(String query, int bytes) {
    return new JsonObject().put("query", query).put("extensions", new JsonObject().put("pad", "p".repeat(bytes))).encode();
  }
}
