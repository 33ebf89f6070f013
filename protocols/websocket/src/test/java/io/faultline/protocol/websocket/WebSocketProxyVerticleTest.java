package io.faultline.protocol.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.testing.Upstreams;
import io.faultline.chaos.testing.WebSocketCloses;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A WebSocket listener passes everything through as the upstream and the client sent it, whether chaos
 * leaves a connection {@code untouched} (chaos off), makes it an exchange with nothing to do
 * ({@code recorded}: the listener records every exchange) or relays it with chaos that holds nothing back
 * ({@code shaped}: a bandwidth limit of a terabyte a second, so its frames go through the delay line).
 */
@ParameterizedClass
@ValueSource(strings = {"untouched", "recorded", "shaped"})
class WebSocketProxyVerticleTest {

  private static final String UNLIMITED_BANDWIDTH = "{\"enabled\": true, \"traffic_shaping\": {\"bandwidth_limit_bps\": 1000000000000}}";

  @Parameter
  String mode;

  private WebSocketFixture fixture;

  /** A fixture whose connections go {@link #mode}'s way. */
  private WebSocketFixture fixture() {
    WebSocketFixture created = new WebSocketFixture(mode.equals("shaped") ? UNLIMITED_BANDWIDTH : null);
    created.events.recordingEveryExchange(mode.equals("recorded"));
    return created;
  }

  @AfterEach
  void close() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void relaysTextBinaryAndFragmentedMessagesUnchanged() throws Exception {
    fixture = fixture();
    WebSocketFixture.Received received = fixture.open("/echo");
    WebSocket ws = received.ws;

    ws.writeTextMessage("hello, wörld");
    ws.writeBinaryMessage(Buffer.buffer(new byte[] {0, 1, 2, (byte) 255}));
    ws.writeFrame(WebSocketFrame.textFrame("frag", false));
    ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer("men"), false));
    ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer("ted"), true));
    received.awaitTexts(5, 5_000);

    List<WebSocketFrame> frames = received.frames;
    assertThat(frames).hasSize(5);
    assertThat(frames.get(0).textData()).isEqualTo("hello, wörld");
    assertThat(frames.get(1).type()).isEqualTo(WebSocketFrameType.BINARY);
    assertThat(frames.get(1).binaryData().getBytes()).containsExactly(0, 1, 2, 255);
    assertThat(frames.get(2).type()).isEqualTo(WebSocketFrameType.TEXT);
    assertThat(frames.get(2).isFinal()).isFalse();
    assertThat(frames.get(3).type()).isEqualTo(WebSocketFrameType.CONTINUATION);
    assertThat(frames.get(4).isFinal()).isTrue();
    assertThat(frames.get(2).textData() + frames.get(3).textData() + frames.get(4).textData()).isEqualTo("fragmented");
  }

  @Test
  void reachesAWssUpstreamOverTls() throws Exception {
    fixture = new WebSocketFixture(mode.equals("shaped") ? UNLIMITED_BANDWIDTH : null, true);
    fixture.events.recordingEveryExchange(mode.equals("recorded"));
    WebSocketFixture.Received received = fixture.open("/echo");
    received.ws.writeTextMessage("over tls");
    assertThat(received.awaitTexts(1, 5_000)).containsExactly("over tls");
  }

  @Test
  void relaysPingsToTheUpstreamAndItsPongsBack() throws Exception {
    fixture = fixture();
    WebSocket ws = fixture.connect("/echo");
    List<String> pongs = new CopyOnWriteArrayList<>();
    ws.pongHandler(data -> pongs.add(data.toString()));
    ws.writePing(Buffer.buffer("are-you-there"));
    // One pong from the gateway's own WebSocket layer, one relayed from the upstream's.
    awaitCondition(() -> pongs.size() >= 2);
    assertThat(pongs).containsExactly("are-you-there", "are-you-there");
    assertThat(fixture.upstreamFrames).anySatisfy(f -> {
      assertThat(f.type()).isEqualTo(WebSocketFrameType.PING);
      assertThat(f.binaryData().toString()).isEqualTo("are-you-there");
    });
  }

  @Test
  void closeCodesAndReasonsTravelBothWays() throws Exception {
    fixture = fixture();
    WebSocket ws = fixture.connect("/echo");
    ws.close((short) 4001, "client done").await();
    awaitCondition(() -> !fixture.upstreamCloses.isEmpty());
    assertThat(fixture.upstreamCloses).containsExactly("4001 client done");

    WebSocketFixture.Received received = fixture.open("/close");
    WebSocket second = received.ws;
    second.writeTextMessage("bye");
    assertThat(received.awaitClose()).isEqualTo("4002 done");
  }

  @Test
  void anAbruptUpstreamCloseReachesTheClientAsAnAbruptClose() throws Exception {
    fixture = fixture();
    WebSocketFixture.Received received = fixture.open("/drop");
    WebSocket ws = received.ws;
    ws.writeTextMessage("x");
    assertThat(received.awaitClose()).isEqualTo("1006 null"); // 1006: closed with no close frame
  }

  @Test
  void aClientThatVanishesReachesTheUpstreamAsGoingAway() throws Exception {
    fixture = fixture();
    CompletableFuture<String> echoed = new CompletableFuture<>();
    java.net.http.WebSocket ws = WebSocketCloses.open(URI.create("ws://127.0.0.1:" + fixture.port + "/echo"),
        new java.net.http.WebSocket.Listener() {
          @Override
          public CompletionStage<?> onText(java.net.http.WebSocket socket, CharSequence data, boolean last) {
            echoed.complete(data.toString());
            return null;
          }
        }, Duration.ofSeconds(5));
    ws.sendText("still here", true);
    assertThat(echoed.get(5, TimeUnit.SECONDS)).isEqualTo("still here");
    ws.abort(); // the TCP connection closes with no close frame

    awaitCondition(() -> !fixture.upstreamCloses.isEmpty());
    assertThat(fixture.upstreamCloses).containsExactly("1001 client connection lost");
    fixture.events.await("the connection's end", () -> !fixture.events.completions().isEmpty());
    assertThat(fixture.events.completions()).singleElement().extracting(c -> c.outcome()).isEqualTo("dropped");
  }

  @Test
  void aConnectionCountsAs2xxWhenItClosesWithACloseFrameAndDroppedWhenItIsLost() throws Exception {
    fixture = fixture();
    WebSocketFixture.Received clean = fixture.open("/close");
    clean.ws.writeTextMessage("bye");
    assertThat(clean.awaitClose()).isEqualTo("4002 done");
    fixture.events.await("the first connection's end", () -> fixture.events.completions().size() == 1);

    WebSocketFixture.Received lost = fixture.open("/drop");
    lost.ws.writeTextMessage("x");
    assertThat(lost.awaitClose()).isEqualTo("1006 null");
    fixture.events.await("the second connection's end", () -> fixture.events.completions().size() == 2);

    assertThat(fixture.events.completions()).extracting(c -> c.outcome()).containsExactly("2xx", "dropped");
    if (mode.equals("recorded")) {
      // a record follows its completion on the event loop: awaited too (CI 08:36 read it between the two)
      fixture.events.await("the second connection's record", () -> fixture.events.records().size() == 2);
      assertThat(fixture.events.records()).extracting(r -> r.status()).containsExactly(101, 101);
    }
  }

  @Test
  void whatTheUpstreamSentBeforeHangingUpReachesAClientThatWasNotReading() throws Exception {
    fixture = fixture();
    WebSocketFixture.Received received = fixture.open("/burst");
    received.ws.pause();
    // The upstream sends its burst and its close frame, and its connection closes while the gateway still
    // holds what the client has not read (Vert.x reports the close at once, ahead of the frames it holds).
    awaitCondition(() -> !fixture.upstreamCloses.isEmpty());
    received.ws.resume();

    assertThat(received.awaitClose()).isEqualTo("4003 burst done");
    // The client's WebSocket reports the close as it reads it, before the messages it still queues for its handler.
    awaitCondition(() -> received.frames.size() >= WebSocketFixture.BURST_MESSAGES);
    assertThat(received.frames).hasSize(WebSocketFixture.BURST_MESSAGES);
    for (int i = 0; i < WebSocketFixture.BURST_MESSAGES; i++) {
      Buffer data = received.frames.get(i).binaryData();
      assertThat(data.length()).isEqualTo(WebSocketFixture.BURST_MESSAGE_BYTES);
      assertThat(data.getInt(0)).as("message %d in order", i).isEqualTo(i);
    }
  }

  @Test
  void aClientThatVanishesWhileTheUpstreamsCloseWaitsForItStillEndsTheConnection() throws Exception {
    fixture = fixture();
    java.net.http.WebSocket ws = WebSocketCloses.open(URI.create("ws://127.0.0.1:" + fixture.port + "/burst"),
        new java.net.http.WebSocket.Listener() {
          @Override
          public void onOpen(java.net.http.WebSocket socket) {
            // asks for no message: reads nothing
          }
        }, Duration.ofSeconds(5));
    // The upstream sends its burst and its close, and hangs up; the gateway holds the close for the
    // frames the client has not read. Then the client goes too: nothing waits for it any more.
    awaitCondition(() -> !fixture.upstreamCloses.isEmpty());
    ws.abort();
    fixture.events.await("the connection's end", () -> !fixture.events.completions().isEmpty());
    assertThat(fixture.events.completions()).singleElement().extracting(c -> c.outcome()).isEqualTo("dropped");
  }

  @Test
  void passesHeadersBothWaysAddsForwardedHeadersAndNegotiatesTheUpstreamsSubprotocol() throws Exception {
    fixture = fixture();
    WebSocketFixture.Received received = fixture.open(new WebSocketConnectOptions().setURI("/headers")
        .addHeader("X-Request-Id", "abc-123")
        .setSubProtocols(List.of("chat.v3", "chat.v1", "chat.v2")));
    WebSocket ws = received.ws;
    JsonObject seen = new JsonObject(received.awaitTexts(1, 5_000).get(0));

    assertThat(seen.getString("x-request-id")).isEqualTo("abc-123");
    assertThat(seen.getString("x-forwarded-for")).isEqualTo("127.0.0.1");
    assertThat(seen.getString("x-forwarded-host")).isEqualTo("127.0.0.1:" + fixture.port);
    // The upstream supports chat.v2 and chat.v1 and picks the first the client offered that it knows.
    assertThat(seen.getString("subprotocol")).isEqualTo("chat.v1");
    assertThat(ws.subProtocol()).isEqualTo("chat.v1");
    // The upstream's own 101 headers reach the client; its handshake headers are this hop's.
    assertThat(ws.headers().get("Set-Cookie")).isEqualTo("session=abc; Path=/");
    assertThat(ws.headers().get("X-Upstream")).isEqualTo("yes");
    assertThat(ws.headers().getAll("Sec-WebSocket-Accept")).hasSize(1);
    assertThat(ws.headers().getAll("Sec-WebSocket-Protocol")).containsExactly("chat.v1");
  }

  /** An Origin reaches the upstream only when the client sent one: upstreams that check Origins let Origin-less clients in. */
  @Test
  void theUpstreamSeesTheClientsOriginOrNone() throws Exception {
    fixture = fixture();
    JsonObject none = new JsonObject(fixture.open(new WebSocketConnectOptions().setURI("/headers").setAllowOriginHeader(false))
        .awaitTexts(1, 5_000).get(0));
    assertThat(none.containsKey("origin")).as(none.encode()).isFalse();
    JsonObject given = new JsonObject(fixture.open(new WebSocketConnectOptions().setURI("/headers")
        .addHeader("Origin", "https://app.example")).awaitTexts(1, 5_000).get(0));
    assertThat(given.getString("origin")).isEqualTo("https://app.example");
  }

  @Test
  void anUpstreamThatTakesNoneOfTheOfferedSubprotocolsIsNoFailure() throws Exception {
    fixture = fixture(); // the upstream speaks chat.v2 and chat.v1 only, and answers an offer of neither with no subprotocol
    // a client that takes such an answer (Python's websockets, Go's; Netty's and browsers' refuse it): a raw handshake
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", fixture.port)) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(("GET /headers HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: chat.v9\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      byte[] answer = new byte[4096];
      int read = socket.getInputStream().read(answer);
      String head = new String(answer, 0, read, java.nio.charset.StandardCharsets.ISO_8859_1);
      assertThat(head).as("as through nginx: the 101, with no subprotocol").startsWith("HTTP/1.1 101").doesNotContainIgnoringCase("sec-websocket-protocol");
    }
  }

  /** Every line of Sec-WebSocket-Protocol is offered upstream (RFC 6455 11.3.4 lets a client repeat the header): only the first was. */
  @Test
  void subprotocolsOfferedOnSeveralHeaderLinesAreAllOfferedUpstream() throws Exception {
    fixture = fixture(); // the upstream speaks chat.v2 and chat.v1 only
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", fixture.port)) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(("GET /headers HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: chat.v9\r\n"
          + "Sec-WebSocket-Protocol: chat.v1\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      byte[] answer = new byte[4096];
      int read = socket.getInputStream().read(answer);
      String head = new String(answer, 0, read, java.nio.charset.StandardCharsets.ISO_8859_1);
      assertThat(head).startsWith("HTTP/1.1 101").containsIgnoringCase("sec-websocket-protocol: chat.v1");
    }
  }

  @Test
  void anUpgradeTheUpstreamRefusesReachesTheClientWithItsStatus() {
    fixture = fixture();
    Future<WebSocket> attempt = fixture.tryConnect(new WebSocketConnectOptions().setURI("/reject"));
    Throwable failure = attempt.map(ws -> (Throwable) null).otherwise(e -> e).await();
    assertThat(failure).isInstanceOf(UpgradeRejectedException.class);
    UpgradeRejectedException rejected = (UpgradeRejectedException) failure;
    assertThat(rejected.getStatus()).isEqualTo(403);
    assertThat(rejected.getHeaders().get("X-Upstream")).isEqualTo("yes");
    assertThat(rejected.getBody().toString()).isEqualTo("forbidden by upstream");
  }

  @Test
  void anUpgradeAnsweredWithLargeHeadersGoesThroughWithThem() throws Exception {
    fixture = fixture(); // its 101 carries 12 KB of headers: the handshake failed, and the client got a 504 2 s later
    String head = rawUpgrade(fixture.port, "/big-head");
    assertThat(head).startsWith("HTTP/1.1 101").contains("X-Big: " + WebSocketFixture.BIG_HEADER_VALUE);
  }

  @Test
  void anUpstreamThatSendsAnInterimAnswerBeforeItsUpgradeGets502SayingSo() throws Exception {
    fixture = fixture();
    // an upstream that answers 102 Processing, then its 101: the client waited for ever on the 102 passed on
    io.vertx.core.net.NetServer interim = fixture.vertx.createNetServer().connectHandler(socket -> socket.handler(head ->
            socket.write("HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")))
        .listen(Upstreams.portToListenOn(), "127.0.0.1").await();
    WebSocketProxyVerticle verticle = listenerTo(interim.actualPort(), 5_000L);
    long started = System.nanoTime();
    String head = rawUpgrade(verticle.actualPort(), "/echo");
    assertThat(head).startsWith("HTTP/1.1 502").contains("interim 102 before its 101");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).as("not the route's 5 s timeout").isLessThan(4_000);
  }

  /** An upstream named by an IPv6 literal is asked with its host in brackets (the handshake failed: Netty found no host in the URI). */
  @Test
  void anIpv6UpstreamIsAskedWithItsHostInBrackets() throws Exception {
    fixture = fixture();
    io.vertx.core.http.HttpServer upstream = fixture.vertx.createHttpServer()
        .webSocketHandler(socket -> socket.writeTextMessage("host=" + socket.headers().get("Host")))
        .listen(0, "::1").await();
    io.faultline.chaos.config.ListenerConfig listener = new io.faultline.chaos.config.ListenerConfig("v6", "websocket",
        "127.0.0.1", 0, "ws://[::1]:" + upstream.actualPort(), null, 5_000L, null, 1, null, null);
    WebSocketProxyVerticle verticle = new WebSocketProxyVerticle(listener, fixture.state,
        new io.faultline.chaos.listener.ConnectionGate(), 0, io.faultline.chaos.event.ChaosListener.NOOP);
    fixture.vertx.deployVerticle(verticle).await();
    // kept in a variable to the end: a Vert.x client no longer referenced is closed when collected, with its connections
    io.vertx.core.http.WebSocketClient client = fixture.vertx.createWebSocketClient();
    io.vertx.core.Promise<String> first = io.vertx.core.Promise.promise();
    client.connect(verticle.actualPort(), "127.0.0.1", "/x")
        .onSuccess(socket -> socket.textMessageHandler(first::tryComplete)).onFailure(first::tryFail);
    assertThat(first.future().await(10, TimeUnit.SECONDS)).isEqualTo("host=[::1]:" + upstream.actualPort());
    client.close().await();
  }

  /**
   * A burst an upstream sent right before it hung up reaches a slow client whole, and then the 1006: the close went
   * at once and discarded what Netty still held for the client, which lost the burst's tail.
   */
  @Test
  void aBurstBeforeTheUpstreamHangsUpReachesASlowClientWhole() throws Exception {
    fixture = fixture();
    int count = 256;
    io.vertx.core.http.HttpServer upstream = fixture.vertx.createHttpServer().webSocketHandler(socket -> {
      io.vertx.core.Future<Void> last = null;
      for (int i = 0; i < count; i++) {
        last = socket.writeBinaryMessage(io.vertx.core.buffer.Buffer.buffer(new byte[32 * 1024]).setInt(0, i));
      }
      last.onComplete(written -> io.faultline.chaos.listener.AbruptClose.close(socket)); // 8 MiB out, then no close frame
    }).listen(Upstreams.portToListenOn(), "127.0.0.1").await();
    WebSocketProxyVerticle verticle = listenerTo(upstream.actualPort(), 5_000L);
    io.vertx.core.http.WebSocketClient client = fixture.vertx.createWebSocketClient(
        new io.vertx.core.http.WebSocketClientOptions().setReceiveBufferSize(8192));
    java.util.List<Integer> got = new java.util.concurrent.CopyOnWriteArrayList<>();
    io.vertx.core.Promise<Short> closed = io.vertx.core.Promise.promise();
    // the handlers set as the socket is handed over, on its event loop: set from here after, the first frames were gone
    io.vertx.core.http.WebSocket ws = client.connect(verticle.actualPort(), "127.0.0.1", "/").onSuccess(socket -> {
      socket.pause();
      socket.frameHandler(frame -> {
        if (frame.type() == io.vertx.core.http.WebSocketFrameType.BINARY) {
          got.add(frame.binaryData().getInt(0));
        }
      });
      socket.closeHandler(v -> closed.tryComplete(socket.closeStatusCode()));
    }).await();
    long reading = fixture.vertx.setPeriodic(2, id -> ws.fetch(1)); // a slow reader: a frame every 2 ms
    try {
      assertThat(closed.future().await(20, TimeUnit.SECONDS)).isEqualTo((short) 1006);
      // Vert.x tells of the close at once; what it read before waits behind the pause, fetched on
      for (int seen = -1; seen != got.size(); ) {
        seen = got.size();
        Thread.sleep(200);
      }
      assertThat(got).hasSize(count);
      assertThat(got.get(count - 1)).isEqualTo(count - 1);
    } finally {
      fixture.vertx.cancelTimer(reading);
      client.close().await();
    }
  }

  /** A second websocket listener, on the fixture's chaos, in front of the upstream on {@code upstreamPort}, its route timeout {@code timeoutMs}. */
  private WebSocketProxyVerticle listenerTo(int upstreamPort, long timeoutMs) {
    io.faultline.chaos.config.ListenerConfig listener = new io.faultline.chaos.config.ListenerConfig("other", "websocket",
        "127.0.0.1", 0, "ws://127.0.0.1:" + upstreamPort, null, timeoutMs, null, 1, null, null);
    WebSocketProxyVerticle verticle = new WebSocketProxyVerticle(listener, fixture.state,
        new io.faultline.chaos.listener.ConnectionGate(), 0, io.faultline.chaos.event.ChaosListener.NOOP);
    fixture.vertx.deployVerticle(verticle).await();
    return verticle;
  }

  /** Sends a WebSocket upgrade for {@code path} on a raw socket and answers the head and body the gateway sent (5 s at most). */
  static String rawUpgrade(int port, String path) throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
      byte[] chunk = new byte[16_384];
      try {
        for (int read; (read = socket.getInputStream().read(chunk)) > 0; ) {
          answer.write(chunk, 0, read);
          String sofar = answer.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
          int headEnd = sofar.indexOf("\r\n\r\n");
          if (headEnd < 0) {
            continue;
          }
          java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)\r\ncontent-length: *(\\d+)").matcher(sofar.substring(0, headEnd));
          if (sofar.startsWith("HTTP/1.1 101") || !length.find() || sofar.length() - headEnd - 4 >= Integer.parseInt(length.group(1))) {
            break; // the whole answer (an upgraded connection or a kept-alive one stays open)
          }
        }
      } catch (java.net.SocketTimeoutException e) {
        // what came is the answer
      }
      return answer.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
    }
  }

  @Test
  void anUpstreamThatIsDownGets502NamingIt() {
    fixture = fixture();
    fixture.upstream.close().await();
    Throwable failure = fixture.tryConnect(new WebSocketConnectOptions().setURI("/echo"))
        .map(ws -> (Throwable) null).otherwise(e -> e).await();
    UpgradeRejectedException rejected = (UpgradeRejectedException) failure;
    assertThat(rejected.getStatus()).isEqualTo(502);
    assertThat(new JsonObject(rejected.getBody()).getString("error")).startsWith("upstream unavailable: ws://127.0.0.1:");
  }

  @Test
  void anUpstreamThatDoesNotAnswerTheUpgradeInTimeGets504() {
    // Vert.x reports its handshake timeout as "Connection closed while handshake in process": this was a 502.
    fixture = fixture();
    // Accepts the TCP connection and never answers: the route's 300 ms timeout runs out.
    io.vertx.core.net.NetServer silent = fixture.vertx.createNetServer().connectHandler(socket -> { })
        .listen(Upstreams.portToListenOn(), "127.0.0.1").await();
    WebSocketProxyVerticle verticle = listenerTo(silent.actualPort(), 300L);
    Throwable failure = fixture.client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(verticle.actualPort())
        .setURI("/echo")).map(ws -> (Throwable) null).otherwise(e -> e).await();
    UpgradeRejectedException rejected = (UpgradeRejectedException) failure;
    assertThat(rejected.getStatus()).as(rejected.getBody().toString()).isEqualTo(504);
    assertThat(new JsonObject(rejected.getBody()).getString("error")).isEqualTo("upstream timed out: ws://127.0.0.1:" + silent.actualPort());
  }

  @Test
  void aPlainHttpRequestIsToldToUpgrade() {
    fixture = fixture();
    HttpClientAgent http = fixture.vertx.createHttpClient();
    HttpClientResponse[] response = new HttpClientResponse[1];
    Buffer body = http.request(HttpMethod.GET, fixture.port, "127.0.0.1", "/echo")
        .compose(r -> r.send())
        .compose(r -> {
          response[0] = r;
          return r.body();
        }).await();
    assertThat(response[0].statusCode()).isEqualTo(426);
    assertThat(response[0].getHeader("Upgrade")).isEqualTo("websocket");
    assertThat(body.toJsonObject().getString("error")).contains("only accepts WebSocket upgrades");
    // counted as the other listeners count what no route took, under route "none" (it was not counted)
    fixture.events.await("the request counted", () -> !fixture.events.completions().isEmpty());
    assertThat(fixture.events.completions()).singleElement().satisfies(c -> {
      assertThat(c.route()).isEqualTo("none");
      assertThat(c.outcome()).isEqualTo("4xx");
    });
  }

  @Test
  void backPressureReachesTheUpstreamWhenTheClientStopsReading() throws Exception {
    fixture = fixture();
    WebSocket ws = fixture.connect("/flood");
    ws.pause();
    // The upstream writes until back-pressure stops it; without it the gateway would read on and on.
    awaitCondition(() -> fixture.floodBlocked && fixture.flooded.get() > 0);
    long sentWhilePaused = fixture.flooded.get();
    // Socket buffers and write queues hold a few MiB at most; without back-pressure the gateway would read on and on.
    assertThat(sentWhilePaused).isLessThan(32L << 20);
    long[] read = new long[1];
    ws.handler(b -> read[0] += b.length());
    ws.resume();
    awaitCondition(() -> fixture.flooded.get() > sentWhilePaused + (8L << 20));
  }

  static void awaitCondition(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.sleep(10);
    }
  }

  @Test
  void anUpstreamThatClosesRightAfterAcceptingHasItsClosePassedOn() throws Exception {
    fixture = fixture();
    for (int i = 0; i < 50; i++) {
      assertThat(WebSocketCloses.closeSeen(URI.create("ws://127.0.0.1:" + fixture.port + "/bye"), null, Duration.ofSeconds(5)))
          .as("connection " + i).isEqualTo("4001 bye");
    }
  }

  /**
   * What an upstream sends right after accepting, before it closes, reaches the client, then the close: with
   * chaos off, 18 of 30 such connections got no message at all (Vert.x took no handler once the close had come,
   * and the frames before it waited behind the pause for good).
   */
  @Test
  void whatAnUpstreamSendsRightBeforeClosingReachesTheClientFirst() throws Exception {
    fixture = fixture();
    for (int i = 0; i < 40; i++) {
      java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
      java.util.concurrent.CompletableFuture<String> closed = new java.util.concurrent.CompletableFuture<>();
      java.net.http.WebSocket socket = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
          .buildAsync(URI.create("ws://127.0.0.1:" + fixture.port + "/said"), new java.net.http.WebSocket.Listener() {
            @Override
            public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket webSocket, CharSequence data, boolean last) {
              seen.add(data.toString());
              webSocket.request(1);
              return null;
            }

            @Override
            public java.util.concurrent.CompletionStage<?> onClose(java.net.http.WebSocket webSocket, int statusCode, String reason) {
              closed.complete(statusCode + " " + reason);
              return null;
            }
          }).get(5, java.util.concurrent.TimeUnit.SECONDS);
      try {
        assertThat(closed.get(5, java.util.concurrent.TimeUnit.SECONDS)).as("connection %d", i).isEqualTo("4002 said");
        assertThat(seen).as("connection %d", i).containsExactly("hello", "sorry");
      } finally {
        socket.abort();
      }
    }
  }
}
