package io.faultline.protocol.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.listener.ConnectionGate;
import io.faultline.chaos.state.ChaosState;
import io.faultline.chaos.testing.Upstreams;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.StreamResetException;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Answers that break, seen by the client of a graphql listener: one broken operation over HTTP/2 breaks
 * that operation only, an answer's head that came reaches the client before the break, a body too large
 * for the listener is a 413 over either HTTP version, and a cut answer names its fault.
 */
class GraphQlBrokenAnswersTest {

  private final Vertx vertx = Vertx.vertx();
  private ChaosState state;
  private int port;

  /**
   * The upstream reads the operation's text: {@code cut} sends 10 bytes of a 1,000-byte answer and closes,
   * {@code head} sends an answer's head and closes, {@code slow} answers after 500 ms, anything else at once.
   */
  @BeforeEach
  void start() {
    HttpServer upstream = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      String text = body.toString();
      var response = request.response().putHeader("Content-Type", "application/json");
      if (text.contains("cut")) {
        response.putHeader("Content-Length", "1000").write("{\"data\": {").onComplete(w -> request.connection().close());
      } else if (text.contains("head")) {
        response.putHeader("Content-Length", "1000").putHeader("X-Upstream", "head").writeHead()
            .onComplete(w -> request.connection().close());
      } else if (text.contains("late")) { // the head at once, the body a second later
        response.setChunked(true).putHeader("X-Upstream", "late").writeHead()
            .onComplete(w -> vertx.setTimer(1_000, id -> response.end("{\"data\": {\"late\": true}}")));
      } else if (text.contains("stream")) { // an answer of no end: a KiB every 20 ms until the connection goes
        response.setChunked(true);
        long timer = vertx.setPeriodic(20, id -> response.write("x".repeat(1024)));
        response.closeHandler(v -> vertx.cancelTimer(timer));
        request.connection().closeHandler(v -> vertx.cancelTimer(timer));
      } else if (text.contains("precise")) { // a number a double cannot hold, and no "hello" to null
        response.end("{\"data\": {\"precise\": 0.1234567890123456789}}");
      } else if (text.contains("huge")) { // 9 MiB and a bit, with its length
        response.end("{\"data\": {\"hello\": \"world\", \"huge\": \"" + "h".repeat(9 * 1024 * 1024) + "\"}}");
      } else if (text.contains("big")) { // 20,000 bytes
        String padding = "b".repeat(20_000 - "{\"data\": {\"big\": \"\"}}".length());
        response.end("{\"data\": {\"big\": \"" + padding + "\"}}");
      } else if (text.contains("slow")) {
        vertx.setTimer(500, id -> response.end("{\"data\": {\"slow\": \"late\"}}"));
      } else {
        response.end("{\"data\": {\"hello\": \"world\"}}");
      }
    })).listen(Upstreams.portToListenOn(), "127.0.0.1").await();
    state = new ChaosState(GraphQlFixture.chaos(null), System::nanoTime, 42);
    ListenerConfig listener = new ListenerConfig("gql", "graphql", "127.0.0.1", 0,
        "http://127.0.0.1:" + upstream.actualPort() + "/graphql", null, 5_000L, null, 1, null, null);
    GraphQlProxyVerticle verticle = new GraphQlProxyVerticle(listener, state, new ConnectionGate(), 0, ChaosListener.NOOP);
    vertx.deployVerticle(verticle).await();
    port = verticle.actualPort();
  }

  @AfterEach
  void close() {
    vertx.close().await();
  }

  /** An HTTP/2 client (h2c, prior knowledge) holding one connection, or an HTTP/1.1 one. */
  private HttpClient client(boolean http2) {
    HttpClientOptions options = new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port);
    if (http2) {
      options.setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false);
    }
    return vertx.createHttpClient(options, new PoolOptions().setHttp2MaxSize(1).setHttp1MaxSize(1));
  }

  private static Future<HttpClientResponse> post(HttpClient client, String query, Buffer body) {
    return client.request(HttpMethod.POST, "/").compose(request -> request.putHeader("Content-Type", "application/json")
        .send(body != null ? body : new JsonObject().put("query", query).toBuffer()));
  }

  /** An answer's head, and its body or why the body broke off. */
  private record Answer(HttpClientResponse head, Buffer body, Throwable broken) {
  }

  /** Posts and reads the whole answer, its body read as soon as its head came (10 s at most). */
  private static Answer answer(HttpClient client, String query, Buffer body) throws Exception {
    return post(client, query, body).compose(head -> head.body().transform(read ->
        Future.succeededFuture(new Answer(head, read.result(), read.cause())))).await(10, TimeUnit.SECONDS);
  }

  @Test
  void overHttp2OneBrokenOperationIsResetAndTheOthersOnTheConnectionGoOn() throws Exception {
    HttpClient client = client(true);
    assertThat(post(client, "{ hello }", null).compose(HttpClientResponse::body).await(10, TimeUnit.SECONDS).toString())
        .contains("world"); // the one connection is open
    // the slow one is in flight when the other's upstream breaks off mid-answer: the whole connection was closed
    Future<Buffer> slow = post(client, "{ slow }", null).compose(HttpClientResponse::body);
    Throwable broken = post(client, "{ cut }", null).compose(HttpClientResponse::body).map(b -> (Throwable) null)
        .otherwise(e -> e).await(10, TimeUnit.SECONDS);
    assertThat(broken).isInstanceOf(StreamResetException.class);
    assertThat(((StreamResetException) broken).getCode()).as("an error, not NO_ERROR").isEqualTo(2);
    assertThat(slow.await(10, TimeUnit.SECONDS).toString()).contains("late");

    // the same with chaos: a connection_error on one operation is that operation's
    state.set(GraphQlFixture.chaos("{\"enabled\": true, \"rules\": [{\"name\": \"cut-one\", \"match\": {\"operation_name\": \"Doomed\"},"
        + " \"fault_injection\": {\"connection_error_probability\": 1.0}}]}"));
    Future<Buffer> slowAgain = post(client, "query Slow { slow }", null).compose(HttpClientResponse::body);
    Throwable doomed = post(client, "query Doomed { hello }", null).compose(HttpClientResponse::body).map(b -> (Throwable) null)
        .otherwise(e -> e).await(10, TimeUnit.SECONDS);
    assertThat(doomed).isInstanceOf(StreamResetException.class);
    assertThat(slowAgain.await(10, TimeUnit.SECONDS).toString()).contains("late");
  }

  @Test
  void anAnswersHeadThatCameReachesTheClientBeforeTheBreak() throws Exception {
    for (boolean http2 : new boolean[] {false, true}) {
      HttpClient client = client(http2);
      // the upstream sent 200 and its headers, then closed: the client got nothing but a closed connection
      Answer answer = answer(client, "{ head }", null);
      assertThat(answer.head().statusCode()).as(http2 ? "h2" : "h1").isEqualTo(200);
      assertThat(answer.head().getHeader("X-Upstream")).isEqualTo("head");
      assertThat(answer.broken()).as("the body breaks off").isNotNull();
    }
  }

  /**
   * The same breaks when the answer is paced (a bandwidth limit) or read whole to null a field: the head the upstream
   * sent, then the break; and the next operation goes on, on a new connection.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"{\"traffic_shaping\": {\"bandwidth_limit_bps\": 100000}}",
      "{\"graphql\": {\"field_faults\": [{\"field\": \"Query.hello\", \"error_probability\": 1.0}]}}"})
  void aPacedOrRewrittenAnswerThatBreaksOffReachesTheClientAsItsHeadThenTheBreak(String chaos) throws Exception {
    state.set(GraphQlFixture.chaos("{\"enabled\": true, " + chaos.substring(1)));
    HttpClient client = client(false);
    for (String query : new String[] {"{ hello cut }", "{ hello head }"}) { // (the field fault's field, for its rewrite)
      Answer answer = answer(client, query, null);
      assertThat(answer.head().statusCode()).as(query).isEqualTo(200);
      assertThat(answer.head().getHeader("Content-Length")).as(query).isEqualTo("1000");
      assertThat(answer.broken()).as(query + ": the body breaks off").isNotNull();
    }
    Answer next = answer(client, "{ hello }", null);
    assertThat(next.broken()).isNull();
    // the field nulled when it is the field fault's: the answers above went through that rewrite
    assertThat(next.body().toJsonObject().getJsonObject("data").getValue("hello")).isEqualTo(chaos.contains("field_faults") ? null : "world");
  }

  /**
   * An upstream that says it closes its connection after an answer (HTTP/1.1's {@code Connection: close}, or HTTP/1.0
   * without keep-alive) and closes it a moment later: the answer comes whole, and the next operation goes on a new
   * connection. Taken back to the pool, the connection would carry the next operation into the upstream's close (a 502).
   */
  @ParameterizedTest
  @ValueSource(strings = {"HTTP/1.1 200 OK\r\nConnection: close", "HTTP/1.0 200 OK"})
  void anAnswerAfterWhichTheUpstreamClosesComesWholeAndTheNextOperationGoesOnANewConnection(String statusAndHeader) throws Exception {
    String body = "{\"data\": {\"hello\": \"world\"}}";
    java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
    io.vertx.core.net.NetServer closing = vertx.createNetServer().connectHandler(socket -> {
      connections.incrementAndGet();
      boolean[] answered = {false};
      socket.handler(bytes -> { // the operation comes in one write: head and body
        if (!answered[0]) {
          answered[0] = true;
          socket.write(statusAndHeader + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
          vertx.setTimer(300, id -> socket.close()); // a moment later, as a server that lingers before it closes
        }
      });
    }).listen(Upstreams.portToListenOn(), "127.0.0.1").await();
    ListenerConfig listener = new ListenerConfig("gql-closing", "graphql", "127.0.0.1", 0,
        "http://127.0.0.1:" + closing.actualPort() + "/graphql", null, 5_000L, null, 1, null, null);
    GraphQlProxyVerticle verticle = new GraphQlProxyVerticle(listener, state, new ConnectionGate(), 0, ChaosListener.NOOP);
    vertx.deployVerticle(verticle).await();
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(verticle.actualPort()),
        new PoolOptions().setHttp1MaxSize(1));
    for (int i = 0; i < 3; i++) {
      Answer answer = answer(client, "{ hello }", null);
      assertThat(answer.head().statusCode()).as("operation " + i).isEqualTo(200);
      assertThat(answer.broken()).as("operation " + i).isNull();
      assertThat(answer.body().toString()).isEqualTo(body);
    }
    assertThat(connections.get()).as("a connection for each operation").isEqualTo(3);
  }

  /**
   * An answer's head goes to the client when it comes, not with the body's first bytes: a client of an event stream or
   * of deferred parts learns the answer began (the route timeout already stopped counting once the head came).
   */
  @Test
  void anAnswersHeadReachesTheClientBeforeItsBody() throws Exception {
    for (boolean http2 : new boolean[] {false, true}) {
      HttpClient client = client(http2);
      long started = System.nanoTime();
      HttpClientResponse head = post(client, "{ late }", null).await(10, TimeUnit.SECONDS);
      long headMs = (System.nanoTime() - started) / 1_000_000;
      String body = head.body().await(10, TimeUnit.SECONDS).toString();
      long bodyMs = (System.nanoTime() - started) / 1_000_000;
      assertThat(head.getHeader("X-Upstream")).as(http2 ? "h2" : "h1").isEqualTo("late");
      assertThat(body).contains("late");
      assertThat(headMs).as("ms to the head").isLessThan(700);
      assertThat(bodyMs).as("ms to the body").isGreaterThanOrEqualTo(900);
    }
  }

  @Test
  void aBodyOverTheLimitIs413OverEitherHttpVersion() throws Exception {
    Buffer huge = new JsonObject().put("query", "{ hello }").put("variables", new JsonObject()
        .put("padding", "p".repeat(GraphQlProxyVerticle.MAX_REQUEST_BYTES))).toBuffer();
    for (boolean http2 : new boolean[] {false, true}) {
      // over HTTP/2 the 413 carried "Connection: close", which HTTP/2 forbids: the client saw a PROTOCOL_ERROR
      Answer answer = answer(client(http2), null, huge);
      assertThat(answer.head().statusCode()).as(http2 ? "h2" : "h1").isEqualTo(413);
      assertThat(answer.head().getHeader("Content-Type")).isEqualTo("application/json");
      JsonObject error = answer.body().toJsonObject().getJsonArray("errors").getJsonObject(0);
      assertThat(error.getString("message")).isEqualTo("request body over " + GraphQlProxyVerticle.MAX_REQUEST_BYTES + " bytes");
    }
  }

  /**
   * Under a bandwidth limit a cut answer's part before the cut goes at the limit's rate, as an answer passed whole goes:
   * it went at once (half of 20,000 bytes at 10,000 bytes/s: a second), as did an answer whose fields chaos nulls.
   */
  @Test
  void aCutAnswerGoesAtTheBandwidthLimitsRateUpToTheCut() throws Exception {
    state.set(GraphQlFixture.chaos("{\"enabled\": true, \"seed\": 3, \"fault_injection\": {\"partial_response_probability\": 1.0},"
        + " \"traffic_shaping\": {\"bandwidth_limit_bps\": 10000}}"));
    for (boolean http2 : new boolean[] {false, true}) {
      long started = System.nanoTime();
      Answer answer = answer(client(http2), "{ big }", null);
      long elapsedMs = (System.nanoTime() - started) / 1_000_000;
      assertThat(answer.head().getHeader("X-Faultline-Fault")).as(http2 ? "h2" : "h1").isEqualTo("partial_response");
      assertThat(answer.broken()).as("the body breaks off").isNotNull();
      assertThat(elapsedMs).as("about 10,000 bytes at 10,000 bytes/s").isBetween(700L, 10_000L);
    }
  }

  /**
   * An answer of no known length that does not end (an event stream, a subscription over HTTP) is cut in its first 16
   * KiB, half of them sent, as the http listener cuts one: it was held whole, so its client got nothing, not even the
   * head, for as long as the stream ran, and the gateway's memory grew with it.
   */
  @Test
  void aCutAnswerOfNoEndIsCutInItsFirst16KiB() throws Exception {
    state.set(GraphQlFixture.chaos("{\"enabled\": true, \"fault_injection\": {\"partial_response_probability\": 1.0}}"));
    for (boolean http2 : new boolean[] {false, true}) {
      java.util.concurrent.atomic.AtomicLong got = new java.util.concurrent.atomic.AtomicLong();
      io.vertx.core.Promise<Throwable> ended = io.vertx.core.Promise.promise();
      // its handlers set as the head comes, on the client's event loop: set after await, the break could come first
      HttpClientResponse head = post(client(http2), "{ stream }", null).onSuccess(response -> {
        response.handler(bytes -> got.addAndGet(bytes.length()));
        response.exceptionHandler(ended::tryComplete);
        response.endHandler(v -> ended.tryComplete(null));
      }).await(10, TimeUnit.SECONDS);
      assertThat(head.getHeader("X-Faultline-Fault")).as(http2 ? "h2" : "h1").isEqualTo("partial_response");
      assertThat(ended.future().await(10, TimeUnit.SECONDS)).as("the body breaks off").isNotNull();
      // (the break is a reset, which may take the last bytes with it)
      assertThat(got.get()).as("bytes before the cut").isBetween(1L, (long) GraphQlCall.CUT_WINDOW / 2);
    }
  }

  /** An answer too large to read whole to null its fields goes on as it is: it was held whole in the heap, however large. */
  @Test
  void anAnswerTooLargeToRewriteGoesOnAsItIs() throws Exception {
    state.set(GraphQlFixture.chaos("{\"enabled\": true, \"graphql\": {\"field_faults\": [{\"field\": \"Query.hello\", \"error_probability\": 1.0}]}}"));
    Answer answer = answer(client(false), "{ hello huge }", null);
    assertThat(answer.broken()).isNull();
    assertThat(answer.body().length()).isGreaterThan(GraphQlCall.MAX_REWRITTEN_BYTES);
    assertThat(answer.body().toJsonObject().getJsonObject("data").getString("hello")).as("untouched").isEqualTo("world");
  }

  /**
   * An answer read whole for a field fault that had nothing to null goes on as it came: it was encoded again, its numbers
   * read as doubles (0.1234567890123456789 became 0.12345678901234568).
   */
  @Test
  void anAnswerAFieldFaultLeftAloneGoesOnAsItCame() throws Exception {
    state.set(GraphQlFixture.chaos("{\"enabled\": true, \"graphql\": {\"field_faults\": [{\"field\": \"Query.hello\", \"error_probability\": 1.0}]}}"));
    Answer answer = answer(client(false), "{ hello precise }", null);
    assertThat(answer.body().toString()).isEqualTo("{\"data\": {\"precise\": 0.1234567890123456789}}");
  }

  @Test
  void aCutAnswerNamesItsFault() throws Exception {
    state.set(GraphQlFixture.chaos("{\"enabled\": true, \"fault_injection\": {\"partial_response_probability\": 1.0}}"));
    for (boolean http2 : new boolean[] {false, true}) {
      Answer answer = answer(client(http2), "{ hello }", null);
      assertThat(answer.head().getHeader("X-Faultline-Fault")).as(http2 ? "h2" : "h1").isEqualTo("partial_response");
      assertThat(answer.broken()).as("the body breaks off").isNotNull();
    }
  }
}
