package io.faultline.protocol.websocket;

import static io.faultline.protocol.websocket.WebSocketProxyVerticleTest.awaitCondition;
import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.testing.RawWebSocketUpstream;
import io.faultline.chaos.testing.WebSocketCloses;
import io.faultline.chaos.listener.ConnectionGate;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The closing handshake is the client's and the service's, as through nginx: Vert.x answers a close frame
 * itself, at once, so without the relay's care a service's last words after the client's close were lost, and
 * a service that keeps its connection open after its close kept the client waiting for ever. The services
 * here are {@link RawWebSocketUpstream}s playing what Node's and Python's servers do; the client is
 * Vert.x's. {@code untouched}: chaos off (frames relayed as they come); {@code shaped}: through the delay line.
 */
@ParameterizedClass
@ValueSource(strings = {"untouched", "shaped"})
class WebSocketClosingHandshakeTest {

  private static final String UNLIMITED_BANDWIDTH = "{\"enabled\": true, \"traffic_shaping\": {\"bandwidth_limit_bps\": 1000000000000}}";

  @Parameter
  String mode;

  private WebSocketFixture fixture;
  private RawWebSocketUpstream service;

  @AfterEach
  void close() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
    if (service != null) {
      service.close();
    }
  }

  /** A listener in front of {@code script}'s service, on the fixture's chaos and events; answers its port. */
  private int gatewayTo(RawWebSocketUpstream.Script script) throws Exception {
    return gatewayTo(mode.equals("shaped") ? UNLIMITED_BANDWIDTH : null, script);
  }

  private int gatewayTo(String chaos, RawWebSocketUpstream.Script script) throws Exception {
    fixture = new WebSocketFixture(chaos);
    service = new RawWebSocketUpstream(script);
    ListenerConfig listener = new ListenerConfig("raw", "websocket", "127.0.0.1", 0, "ws://127.0.0.1:" + service.port(), null,
        5_000L, null, 1, null, null);
    WebSocketProxyVerticle verticle = new WebSocketProxyVerticle(listener, fixture.state, new ConnectionGate(), 0, fixture.events);
    fixture.vertx.deployVerticle(verticle).await();
    return verticle.actualPort();
  }

  private WebSocketFixture.Received open(int port) {
    return fixture.client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/chat"))
        .map(WebSocketFixture.Received::new).await();
  }

  @Test
  void whatTheServiceSendsBeforeAnsweringTheClientsCloseReachesTheClientThenTheAnswer() throws Exception {
    int port = gatewayTo(peer -> {
      peer.sendText("hi");
      service.seen.add("close " + peer.readClose().close());
      Thread.sleep(100); // finishing its work first, as a service flushing what it owes
      peer.sendText("late-1");
      Thread.sleep(100);
      peer.sendText("late-2");
      peer.sendClose(4005, "later");
      service.seen.add(peer.read() == null ? "eof" : "more");
    });
    WebSocketFixture.Received received = open(port);
    assertThat(received.awaitTexts(1, 5_000)).containsExactly("hi");
    received.ws.close((short) 4001, "client done");

    assertThat(received.awaitClose()).isEqualTo("4005 later");
    awaitCondition(() -> received.frames.size() >= 3);
    assertThat(received.texts()).containsExactly("hi", "late-1", "late-2");
    awaitCondition(() -> service.seen.size() == 2);
    assertThat(service.seen).containsExactly("close 4001 client done", "eof");
    fixture.events.await("the connection's end", () -> !fixture.events.completions().isEmpty());
    assertThat(fixture.events.completions()).singleElement().extracting(c -> c.outcome()).isEqualTo("2xx");
  }

  /**
   * A close without a code reaches the other side without one, and so does its answer, whichever side closes first:
   * the relay sent 1000 ("normal closure") for it, which says more than the peer did. The client here is a raw one:
   * Vert.x's reads a close without a code as 1000.
   */
  @Test
  void aCloseWithoutACodeReachesTheOtherSideWithoutOneAndSoDoesItsAnswer() throws Exception {
    int port = gatewayTo(peer -> {
      if (service.seen.isEmpty()) { // the first connection: the client closes first
        service.seen.add("close " + peer.readClose().close());
        peer.sendCloseWithoutCode();
      } else { // the second: the service does
        peer.sendCloseWithoutCode();
        service.seen.add("answer " + peer.readClose().close());
      }
      service.seen.add(peer.read() == null ? "eof" : "more");
    });
    RawWebSocketUpstream.Peer first = RawWebSocketUpstream.Peer.connect(port, "/chat", null);
    first.sendCloseWithoutCode();
    assertThat(first.readClose().close()).as("the service's answer").isEqualTo("1005");
    awaitCondition(() -> service.seen.size() == 2);
    assertThat(service.seen).containsExactly("close 1005", "eof");

    RawWebSocketUpstream.Peer second = RawWebSocketUpstream.Peer.connect(port, "/chat", null);
    assertThat(second.readClose().close()).as("the service's close").isEqualTo("1005");
    second.sendCloseWithoutCode();
    awaitCondition(() -> service.seen.size() == 4);
    assertThat(service.seen).containsExactly("close 1005", "eof", "answer 1005", "eof");
    assertThat(first.read()).as("the first connection's end").isNull();
    assertThat(second.read()).as("the second connection's end").isNull();
  }

  @Test
  void aServiceThatHangsUpOnTheClientsCloseGivesTheClientItsOwnCodeBack() throws Exception {
    int port = gatewayTo(peer -> {
      service.seen.add("close " + peer.readClose().close());
      peer.hangUp();
    });
    WebSocketFixture.Received received = open(port);
    received.ws.close((short) 4001, "bye");

    assertThat(received.awaitClose()).isEqualTo("4001 bye");
    assertThat(service.seen).containsExactly("close 4001 bye");
    fixture.events.await("the connection's end", () -> !fixture.events.completions().isEmpty());
    assertThat(fixture.events.completions()).singleElement().extracting(c -> c.outcome()).isEqualTo("2xx");
  }

  @Test
  void aServiceThatKeepsItsConnectionAfterItsCloseIsHungUpOnOnceTheClientHasAnswered() throws Exception {
    int port = gatewayTo(peer -> {
      peer.sendText("bye-soon");
      peer.sendClose(4006, "done");
      RawWebSocketUpstream.Frame answer = peer.readClose();
      service.seen.add(answer == null ? "no answer" : "answer " + answer.close());
      service.seen.add(peer.read() == null ? "eof" : "more");
    });
    WebSocketFixture.Received received = open(port);

    // it reached the client only when the service hung up, which this one never does: the client waited for ever
    assertThat(received.awaitClose()).isEqualTo("4006 done");
    // (Vert.x's client reports a close as it reads it, before the messages it still queues for its handler)
    awaitCondition(() -> !received.frames.isEmpty());
    assertThat(received.texts()).containsExactly("bye-soon");
    awaitCondition(() -> service.seen.size() == 2);
    assertThat(service.seen).containsExactly("answer 4006 done", "eof");
    fixture.events.await("the connection's end", () -> !fixture.events.completions().isEmpty());
    assertThat(fixture.events.completions()).singleElement().extracting(c -> c.outcome()).isEqualTo("2xx");
  }

  @Test
  void aCloseDelayedByLatencyStillGetsTheServicesAnswer() throws Exception {
    Assumptions.assumeTrue(mode.equals("untouched"), "chaos of its own");
    // every message waits 2 s each way, so the client's close reaches the service 2 s after the gateway got it; the
    // service answers 3.5 s later (a wait for the answer counted from the close's arrival gave the client its own
    // code back at 5 s, losing the reply)
    int port = gatewayTo("{\"enabled\": true, \"latency\": {\"fixed_delay_ms\": 2000, \"probability\": 1}}", peer -> {
      service.seen.add("first " + new String(peer.read().payload(), java.nio.charset.StandardCharsets.UTF_8));
      service.seen.add("close " + peer.readClose().close());
      Thread.sleep(3_500);
      peer.sendText("reply");
      peer.sendClose(4005, "answered");
      service.seen.add(peer.read() == null ? "eof" : "more");
    });
    WebSocketFixture.Received received = open(port);
    received.ws.writeTextMessage("c1");
    received.ws.close((short) 4000, "done");

    assertThat(received.closed.future().await(12, TimeUnit.SECONDS)).isEqualTo("4005 answered");
    awaitCondition(() -> !received.frames.isEmpty());
    assertThat(received.texts()).containsExactly("reply");
    assertThat(service.seen).startsWith("first c1", "close 4000 done");
  }

  @Test
  void whenTheServiceClosesFirstTheClientsLastMessagesAndItsAnswerReachIt() throws Exception {
    int port = gatewayTo(peer -> {
      peer.sendClose(4002, "server done");
      for (RawWebSocketUpstream.Frame frame = peer.read(); frame != null; frame = peer.read()) {
        service.seen.add(frame.opcode() == 8 ? "close " + frame.close() : new String(frame.payload(), java.nio.charset.StandardCharsets.UTF_8));
        if (frame.opcode() == 8) {
          peer.hangUp();
          return;
        }
      }
    });
    CompletableFuture<String> closed = new CompletableFuture<>();
    java.net.http.WebSocket socket = WebSocketCloses.open(URI.create("ws://127.0.0.1:" + port + "/chat"), new java.net.http.WebSocket.Listener() {
      @Override
      public CompletionStage<?> onClose(java.net.http.WebSocket ws, int statusCode, String reason) {
        closed.complete(statusCode + " " + reason);
        // the client still says what it has to, then answers with a code of its own (the JDK's client sends no other)
        ws.sendText("late-1", true).thenCompose(w -> w.sendText("late-2", true)).thenCompose(w -> w.sendClose(4009, "client answer"));
        return new CompletableFuture<Void>().completeOnTimeout(null, 2, TimeUnit.SECONDS);
      }
    }, Duration.ofSeconds(5));
    try {
      assertThat(closed.get(5, TimeUnit.SECONDS)).isEqualTo("4002 server done");
      awaitCondition(() -> service.seen.size() == 3);
      // Vert.x answered the service's close itself, with the service's own code, and dropped what the client sent after
      assertThat(service.seen).containsExactly("late-1", "late-2", "close 4009 client answer");
    } finally {
      socket.abort();
    }
  }

  @Test
  void aClientThatLeavesAfterItsCloseLeavesNoUpstreamConnectionBehind() throws Exception {
    long[] eofAfterMs = {-1};
    int port = gatewayTo(peer -> {
      service.seen.add("close " + peer.readClose().close());
      long got = System.nanoTime();
      if (peer.read() == null) { // answers nothing: the client is gone anyway
        eofAfterMs[0] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - got);
        service.seen.add("eof");
      }
    });
    java.net.http.WebSocket socket = WebSocketCloses.open(URI.create("ws://127.0.0.1:" + port + "/chat"), new java.net.http.WebSocket.Listener() {
    }, Duration.ofSeconds(5));
    socket.sendClose(4001, "bye").get(5, TimeUnit.SECONDS);
    awaitCondition(() -> !service.seen.isEmpty());
    socket.abort(); // its connection goes before any answer could come

    awaitCondition(() -> service.seen.size() == 2);
    assertThat(service.seen).containsExactly("close 4001 bye", "eof");
    // Vert.x's client kept the connection for its 10 s closing timeout
    assertThat(eofAfterMs[0]).isLessThan(3_000);
  }

  @Test
  void aClientReadingSlowlyStillGetsTheServicesWholeAnswer() throws Exception {
    Assumptions.assumeTrue(mode.equals("untouched"), "the same on both lanes");
    int messages = 20_000;
    int port = gatewayTo(peer -> {
      peer.readClose();
      String kilobyte = "x".repeat(1_000);
      for (int i = 0; i < messages; i++) { // 20 MB the gateway cannot pass on before the client reads
        peer.sendText(kilobyte);
      }
      peer.sendText("final");
      peer.sendClose(4001, "answer");
      service.seen.add(peer.read() == null ? "eof" : "more");
    });
    WebSocketCloses.Heard heard = new WebSocketCloses.Heard(false); // reads nothing yet
    java.net.http.WebSocket socket = WebSocketCloses.open(URI.create("ws://127.0.0.1:" + port + "/chat"), heard, Duration.ofSeconds(5));
    try {
      socket.sendClose(4000, "done").get(5, TimeUnit.SECONDS);
      Thread.sleep(6_500); // the gateway gave up on the answer, which was behind the data, after 5 s
      socket.request(1);
      // the client's own code came back after 4,271 of the messages: the answer was taken for missing
      assertThat(heard.closed.get(20, TimeUnit.SECONDS)).isEqualTo("4001 answer");
      assertThat(heard.texts).hasSize(messages + 1).endsWith("final");
    } finally {
      socket.abort();
    }
  }

  @Test
  void aFrameOverTheLimitEndsTheConnectionWithMessageTooBig() throws Exception {
    int port = gatewayTo(peer -> service.seen.add(peer.readClose() == null ? "eof" : "close"));
    WebSocketFixture.Received received = open(port);
    received.ws.writeFrame(io.vertx.core.http.WebSocketFrame.binaryFrame(
        io.vertx.core.buffer.Buffer.buffer(new byte[WebSocketProxyVerticle.MAX_FRAME_BYTES + 1]), true));

    // it was a bare TCP close (1006), and nothing was logged
    assertThat(received.awaitClose()).startsWith("1009 ");
    awaitCondition(() -> !service.seen.isEmpty());
    assertThat(service.seen).containsExactly("close"); // the service is told the client went (1001)
  }

  /** An auth refusal's way: a message, a close and the connection's end, all right after accepting. */
  @Test
  void aServiceThatRefusesRightAfterAcceptingHasItsMessageAndCloseReachTheClient() throws Exception {
    int port = gatewayTo(peer -> {
      peer.sendText("hello");
      peer.sendClose(4401, "unauthorized");
      peer.hangUp();
    });
    for (int i = 0; i < 40; i++) {
      WebSocketCloses.Heard heard = new WebSocketCloses.Heard(true);
      java.net.http.WebSocket socket = WebSocketCloses.open(URI.create("ws://127.0.0.1:" + port + "/chat"), heard, Duration.ofSeconds(5));
      try {
        // a close held from Vert.x when the connection ended was dropped: a bare TCP close, 15 of 40 in the hunt
        assertThat(heard.closed.get(5, TimeUnit.SECONDS)).as("connection %d", i).isEqualTo("4401 unauthorized");
        assertThat(heard.texts).as("connection %d", i).containsExactly("hello");
      } finally {
        socket.abort();
      }
    }
  }

  @Test
  void anInjectedDisconnectLeavesNoSilentUpstreamBehind() throws Exception {
    Assumptions.assumeTrue(mode.equals("untouched"), "chaos of its own");
    long[] eofAfterMs = {-1};
    int port = gatewayTo("{\"enabled\": true, \"websocket\": {\"disconnect_after_ms\": 300}}", peer -> {
      long opened = System.nanoTime();
      service.seen.add("close " + peer.readClose().close());
      if (peer.read() == null) { // answers nothing
        eofAfterMs[0] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - opened);
        service.seen.add("eof");
      }
    });
    WebSocketFixture.Received received = open(port);
    assertThat(received.awaitClose()).startsWith("1001 ");

    awaitCondition(() -> service.seen.size() == 2);
    assertThat(service.seen).containsExactly("close 1001 faultline: client disconnected", "eof");
    // it stayed open for Vert.x's closing timeout (10 s then): the client's leaving did not reach it past the stopped lanes
    assertThat(eofAfterMs[0]).isLessThan(3_000);
  }

  /**
   * A listener that drains (the gateway shutting down) closes its WebSockets with 1001, and nothing follows that close
   * frame (RFC 6455 5.5.1), read frame by frame off the wire: a client's library throws away what comes after a close,
   * so its user would only see messages lost. An upstream that floods a client which reads nothing for a while, so that frames wait in the gateway behind its
   * paused read of the upstream, and in the sockets; then the listener drains and the client reads on. It gets the
   * going-away close, and no data frame after it (before, the frames the gateway read on after sending its close were
   * written after it: 16 of them in the first run).
   */
  @Test
  void aDrainsGoingAwayCloseIsTheLastFrameTheClientGets() throws Exception {
    fixture = new WebSocketFixture(mode.equals("shaped") ? UNLIMITED_BANDWIDTH : null);
    RawWebSocketUpstream.Peer client = RawWebSocketUpstream.Peer.connect(fixture.port, "/flood", null);
    try {
      long deadline = System.currentTimeMillis() + 10_000;
      while (!fixture.floodBlocked && System.currentTimeMillis() < deadline) {
        Thread.sleep(20); // the client reads nothing: back-pressure reaches the upstream
      }
      assertThat(fixture.floodBlocked).as("the upstream waits for the gateway").isTrue();
      var drained = fixture.verticle.drain(10_000);
      RawWebSocketUpstream.Ending ending = client.readToEnd();
      assertThat(ending.close()).as("a close frame came").isNotNull();
      assertThat(ending.close().close()).isEqualTo("1001 faultline: shutting down");
      assertThat(ending.before()).as("data frames before the close").isNotEmpty();
      assertThat(ending.after()).as("frames after the close").isEmpty();
      drained.await(15, java.util.concurrent.TimeUnit.SECONDS);
      fixture.events.await("the upstream told", () -> !fixture.upstreamCloses.isEmpty());
      assertThat(fixture.upstreamCloses).containsExactly("1001 faultline: shutting down");
    } finally {
      client.hangUp();
    }
  }
}
