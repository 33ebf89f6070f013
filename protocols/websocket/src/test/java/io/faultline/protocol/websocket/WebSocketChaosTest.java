package io.faultline.protocol.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each WebSocket fault, observed by a real client through a real listener in front of a real upstream. */
class WebSocketChaosTest {

  private WebSocketFixture fixture;

  @AfterEach
  void close() {
    if (fixture != null) {
      fixture.close();
    }
  }

  private static String chaos(String websocket) {
    return "{\"enabled\": true, \"seed\": 7, \"websocket\": " + websocket + "}";
  }

  /** Sends m1 .. mN from the client, one text message each. */
  private static void writeMessages(WebSocketFixture.Received received, int n) {
    for (int i = 1; i <= n; i++) {
      received.ws.writeTextMessage("m" + i);
    }
  }

  private List<String> push(int n) throws Exception {
    WebSocketFixture.Received received = fixture.open("/push?n=" + n);
    WebSocket ws = received.ws;
    List<String> texts = received.awaitTexts(n, 2_000);
    Thread.sleep(200); // anything duplicated or late would arrive by now
    return received.texts();
  }

  private static List<Integer> numbers(List<String> texts) {
    List<Integer> numbers = new ArrayList<>();
    for (String text : texts) {
      numbers.add(Integer.parseInt(text.substring(4)));
    }
    return numbers;
  }

  @Test
  void dropsAShareOfMessagesAndKeepsTheRestInOrder() throws Exception {
    fixture = new WebSocketFixture(chaos("{\"message_drop_probability\": 0.3}"));
    List<Integer> got = numbers(push(400));
    // 400 draws at 0.3: 280 expected, sd ~9; the seed makes it exact, the bounds say what it means.
    assertThat(got.size()).isBetween(240, 320);
    assertThat(got).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void theSameSeedDropsTheSameMessages() throws Exception {
    fixture = new WebSocketFixture(chaos("{\"message_drop_probability\": 0.5}"));
    List<String> first = push(100);
    fixture.close();
    fixture = new WebSocketFixture(chaos("{\"message_drop_probability\": 0.5}"));
    assertThat(push(100)).isEqualTo(first);
  }

  @Test
  void duplicatesMessagesRightAfterThemselves() throws Exception {
    fixture = new WebSocketFixture(chaos("{\"message_duplicate_probability\": 0.25}"));
    List<Integer> got = numbers(push(400));
    assertThat(got.size()).isBetween(440, 560);
    assertThat(got).isSorted();
    assertThat(new java.util.TreeSet<>(got)).hasSize(400);
  }

  @Test
  void corruptsOneCharacterOfATextMessageAndOneByteOfABinaryOne() throws Exception {
    fixture = new WebSocketFixture(chaos("{\"message_corrupt_probability\": 1.0, \"direction\": \"downstream\"}"));
    WebSocketFixture.Received received = fixture.open("/echo");
    WebSocket ws = received.ws;
    String text = "{\"order\": 12345, \"status\": \"shipped\"}";
    byte[] bytes = new byte[64];
    ws.writeTextMessage(text);
    ws.writeBinaryMessage(Buffer.buffer(bytes));
    received.awaitTexts(2, 5_000);

    // Only the downstream direction is corrupted: the upstream got the text as sent.
    assertThat(fixture.upstreamFrames.get(0).textData()).isEqualTo(text);
    String corrupted = received.frames.get(0).textData();
    assertThat(corrupted).hasSameSizeAs(text).isNotEqualTo(text);
    assertThat(differences(corrupted.getBytes(), text.getBytes())).isEqualTo(1);
    byte[] got = received.frames.get(1).binaryData().getBytes();
    assertThat(received.frames.get(1).type()).isEqualTo(WebSocketFrameType.BINARY);
    assertThat(differences(got, bytes)).isEqualTo(1);
  }

  /**
   * Text with no ASCII character (Latin accents, Cyrillic, CJK) is corrupted too, one character for another
   * of the same length, still valid UTF-8; an empty message has nothing to corrupt and is not counted. Such
   * text came through unchanged while every message was counted corrupted.
   */
  @Test
  void corruptsTextWithoutAsciiAndCountsOnlyWhatItChanged() throws Exception {
    fixture = new WebSocketFixture(chaos("{\"message_corrupt_probability\": 1.0, \"direction\": \"downstream\"}"));
    WebSocketFixture.Received received = fixture.open("/echo");
    List<String> sent = List.of("ééééé", "日本語のテキスト", "Привет", "");
    sent.forEach(received.ws::writeTextMessage);
    List<String> got = received.awaitTexts(4, 5_000);
    assertThat(got).hasSize(4);
    for (int i = 0; i < 3; i++) {
      byte[] before = sent.get(i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      byte[] after = got.get(i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      assertThat(got.get(i)).as("message %d", i).isNotEqualTo(sent.get(i)).hasSameSizeAs(sent.get(i));
      assertThat(differences(after, before)).as("bytes changed in message %d", i).isEqualTo(1);
    }
    assertThat(got.get(3)).isEmpty();
    assertThat(fixture.events.faults().stream().filter("message_corrupt"::equals).count()).as("counted").isEqualTo(3);
  }

  /**
   * A message in fragments whose last fragment is empty (as streaming writers end one) is corrupted too, and
   * counted: it came through unchanged and uncounted, for a fault asked with probability 1.
   */
  @Test
  void aMessageEndedByAnEmptyFragmentIsCorruptedToo() throws Exception {
    fixture = new WebSocketFixture(chaos("{\"message_corrupt_probability\": 1.0, \"direction\": \"downstream\"}"));
    WebSocketFixture.Received received = fixture.open("/echo");
    received.ws.writeFrame(WebSocketFrame.textFrame("hello", false));
    received.ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(), true));
    received.ws.writeFrame(WebSocketFrame.binaryFrame(Buffer.buffer(new byte[8]), false));
    received.ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(), true));
    received.awaitTexts(4, 5_000); // the fragments as they came
    assertThat(received.frames).extracting(WebSocketFrame::type).containsExactly(WebSocketFrameType.TEXT,
        WebSocketFrameType.CONTINUATION, WebSocketFrameType.BINARY, WebSocketFrameType.CONTINUATION);
    assertThat(received.frames.get(0).textData()).isEqualTo("hello");
    byte[] added = received.frames.get(1).binaryData().getBytes();
    assertThat(added).hasSize(1);
    assertThat(added[0]).as("a printable character: the text stays valid UTF-8").isBetween((byte) '!', (byte) '~');
    assertThat(received.frames.get(2).binaryData().getBytes()).isEqualTo(new byte[8]);
    assertThat(received.frames.get(3).binaryData().length()).isEqualTo(1);
    fixture.events.await("both counted", () -> fixture.events.faults().stream().filter("message_corrupt"::equals).count() == 2);
  }

  /** A message both duplicated and corrupted arrives twice as delivered: the copy is the corrupted message too. */
  @Test
  void aCorruptedMessageThatIsDuplicatedArrivesCorruptedTwice() throws Exception {
    fixture = new WebSocketFixture(chaos("{\"message_corrupt_probability\": 1.0, \"message_duplicate_probability\": 1.0,"
        + " \"direction\": \"downstream\"}"));
    WebSocketFixture.Received received = fixture.open("/echo");
    String text = "{\"order\": 12345, \"status\": \"shipped\"}";
    received.ws.writeTextMessage(text);
    List<String> texts = received.awaitTexts(2, 5_000);
    assertThat(texts.get(0)).isNotEqualTo(text);
    assertThat(texts.get(1)).as("the copy").isEqualTo(texts.get(0));
  }

  /**
   * A duplicated text message in fragments, one ending inside a character, arrives twice byte for byte: the copy
   * was made from the fragment's text, which replaced the half character with U+FFFD (the client saw invalid
   * UTF-8 and its connection died).
   */
  @Test
  void aDuplicatedTextMessageSplitInsideACharacterIsCopiedByteForByte() throws Exception {
    fixture = new WebSocketFixture(chaos("{\"message_duplicate_probability\": 1.0, \"direction\": \"downstream\"}"));
    WebSocketFixture.Received received = fixture.open("/echo");
    byte[] first = {'h', (byte) 0xC3}; // "hé" cut inside the é
    byte[] rest = {(byte) 0xA9, 'l', 'l', 'o'};
    received.ws.writeFrame(new io.vertx.core.http.impl.ws.WebSocketFrameImpl(WebSocketFrameType.TEXT, first, false));
    received.ws.writeFrame(io.vertx.core.http.WebSocketFrame.continuationFrame(Buffer.buffer(rest), true));
    long deadline = System.currentTimeMillis() + 5_000;
    while (received.frames.size() < 4 && System.currentTimeMillis() < deadline) {
      Thread.sleep(10);
    }
    assertThat(received.frames).hasSize(4);
    List<byte[]> got = received.frames.stream().map(f -> f.binaryData().getBytes()).toList();
    assertThat(got.get(0)).isEqualTo(first);
    assertThat(got.get(1)).isEqualTo(rest);
    assertThat(got.get(2)).as("the copy's first fragment").isEqualTo(first);
    assertThat(got.get(3)).as("the copy's last fragment").isEqualTo(rest);
    assertThat(received.frames.get(2).type()).isEqualTo(WebSocketFrameType.TEXT);
  }

  /**
   * A duplicated message too large to hold a second copy of (over a MiB, in fragments) passes once, and only what was
   * duplicated is counted: its copies were held outside the lane's bounds until its last fragment came, however many.
   */
  @Test
  void aMessageTooLargeToCopyPassesOnceAndTheNextIsDuplicated() throws Exception {
    fixture = new WebSocketFixture(chaos("{\"message_duplicate_probability\": 1.0, \"direction\": \"downstream\"}"));
    WebSocketFixture.Received received = fixture.open("/echo");
    int fragments = 20; // of 64 KiB: 1.25 MiB
    Buffer piece = Buffer.buffer(new byte[64 * 1024]);
    received.ws.writeFrame(io.vertx.core.http.WebSocketFrame.binaryFrame(piece, false));
    for (int i = 1; i < fragments; i++) {
      received.ws.writeFrame(io.vertx.core.http.WebSocketFrame.continuationFrame(piece, i == fragments - 1));
    }
    received.ws.writeTextMessage("after");
    assertThat(received.awaitTexts(fragments + 2, 10_000)).containsExactly("after", "after");
    Thread.sleep(200); // a copy would arrive by now
    assertThat(received.frames).hasSize(fragments + 2);
    assertThat(fixture.events.faults()).as("the faults counted").containsExactly("message_duplicate");
  }

  private static int differences(byte[] a, byte[] b) {
    int n = 0;
    for (int i = 0; i < a.length; i++) {
      n += a[i] != b[i] ? 1 : 0;
    }
    return n;
  }

  @Test
  void delaysEachMessageByTheLatencySectionInTheChosenDirection() throws Exception {
    fixture = new WebSocketFixture("{\"enabled\": true, \"latency\": {\"fixed_delay_ms\": 150},"
        + " \"websocket\": {\"direction\": \"downstream\"}}");
    WebSocketFixture.Received received = fixture.open("/echo");
    WebSocket ws = received.ws;
    long sent = System.nanoTime();
    for (int i = 0; i < 5; i++) {
      ws.writeTextMessage("m" + i);
    }
    List<String> texts = received.awaitTexts(5, 5_000);
    long firstMs = (received.startedAt(0) - sent) / 1_000_000;
    long lastMs = (received.startedAt(4) - sent) / 1_000_000;
    assertThat(texts).containsExactly("m0", "m1", "m2", "m3", "m4");
    // Delayed once (downstream only: 300 would be both ways), and pipelined: five messages take 150 ms, not 750.
    assertThat(firstMs).isGreaterThanOrEqualTo(145).isLessThan(280);
    assertThat(lastMs).isLessThan(600);
  }

  /**
   * The kill switch reaches connections already open: what they decided at the handshake (drop every
   * message, a 5 s delay) no longer applies, and what is held goes at once.
   */
  @Test
  void switchingChaosOffReachesAnOpenConnectionAndReleasesWhatItHolds() throws Exception {
    fixture = new WebSocketFixture("{\"enabled\": true, \"latency\": {\"fixed_delay_ms\": 5000},"
        + " \"websocket\": {\"direction\": \"downstream\"}}");
    WebSocketFixture.Received received = fixture.open("/echo");
    received.ws.writeTextMessage("held");
    Thread.sleep(300);
    long off = System.nanoTime();
    fixture.state.enable(false);
    assertThat(received.awaitTexts(1, 2_000)).containsExactly("held");
    assertThat((received.startedAt(0) - off) / 1_000_000).as("ms after the switch").isLessThan(500);
    received.ws.writeTextMessage("after");
    assertThat(received.awaitTexts(2, 1_000)).containsExactly("held", "after");

    fixture.close();
    fixture = new WebSocketFixture(chaos("{\"message_drop_probability\": 1.0}"));
    WebSocketFixture.Received dropping = fixture.open("/echo");
    dropping.ws.writeTextMessage("lost");
    Thread.sleep(300);
    assertThat(dropping.texts()).isEmpty();
    fixture.state.enable(false);
    dropping.ws.writeTextMessage("kept");
    assertThat(dropping.awaitTexts(1, 2_000)).containsExactly("kept");
  }

  @Test
  void disconnectsAfterTheConfiguredNumberOfMessagesWithTheChosenCode() throws Exception {
    fixture = new WebSocketFixture(chaos("{\"disconnect_after_messages\": 5, \"close_code\": 1013, \"close_reason\": \"try later\"}"));
    WebSocketFixture.Received received = fixture.open("/push?n=20");
    WebSocket ws = received.ws;
    assertThat(received.awaitClose()).isEqualTo("1013 try later");
    assertThat(received.texts()).containsExactly("msg-1", "msg-2", "msg-3", "msg-4", "msg-5");
    WebSocketProxyVerticleTest.awaitCondition(() -> !fixture.upstreamCloses.isEmpty());
    assertThat(fixture.upstreamCloses).containsExactly("1001 faultline: client disconnected");
    assertThat(fixture.events.faults()).as("the faults counted").containsExactly("disconnect");
  }

  /**
   * Behind a per-message latency the messages after the fifth are decided before its close goes: the disconnect is
   * still one, counted once (each such message counted one, some ten a connection), and nothing after the fifth arrives.
   */
  @Test
  void aDisconnectAfterMessagesBehindLatencyIsOneDisconnect() throws Exception {
    fixture = new WebSocketFixture("{\"enabled\": true, \"seed\": 7, \"latency\": {\"fixed_delay_ms\": 50, \"probability\": 1.0},"
        + " \"websocket\": {\"disconnect_after_messages\": 5, \"close_code\": 1013, \"close_reason\": \"try later\"}}");
    WebSocketFixture.Received received = fixture.open("/push?n=20");
    assertThat(received.awaitClose()).isEqualTo("1013 try later");
    assertThat(received.texts()).containsExactly("msg-1", "msg-2", "msg-3", "msg-4", "msg-5");
    assertThat(fixture.events.faults().stream().filter("disconnect"::equals).count()).as("disconnects counted").isEqualTo(1);
  }

  /**
   * disconnect_after_messages counts the messages delivered: a dropped one, by the drop probability or the rate limit,
   * is not (the close came after fewer messages than asked, and sometimes right after one the client never saw).
   */
  @Test
  void disconnectAfterMessagesCountsOnlyTheMessagesDelivered() throws Exception {
    fixture = new WebSocketFixture(chaos("{\"message_drop_probability\": 0.5, \"disconnect_after_messages\": 5,"
        + " \"close_code\": 1013, \"close_reason\": \"try later\"}"));
    WebSocketFixture.Received received = fixture.open("/push?n=40");
    assertThat(received.awaitClose()).isEqualTo("1013 try later");
    assertThat(received.texts()).hasSize(5);
    assertThat(fixture.events.faults("message_drop")).as("some were dropped on the way").isPositive();
    fixture.close();
    // the rate limit's drops: 2 a second pass, the other 18 sent at once are dropped, and the third delivered is the last
    fixture = new WebSocketFixture(chaos("{\"messages_per_second\": 2, \"rate_limit_action\": \"drop\", \"direction\": \"downstream\","
        + " \"disconnect_after_messages\": 3, \"close_code\": 1013, \"close_reason\": \"try later\"}"));
    WebSocketFixture.Received limited = fixture.open("/echo");
    writeMessages(limited, 20);
    assertThat(limited.awaitTexts(2, 5_000)).containsExactly("m1", "m2");
    fixture.events.await("the other 18 dropped", () -> fixture.events.faults("message_rate_limit") == 18);
    assertThat(limited.ws.isClosed()).as("two delivered, not three").isFalse();
    Thread.sleep(600); // the bucket has room for one again
    limited.ws.writeTextMessage("third");
    assertThat(limited.awaitClose()).isEqualTo("1013 try later");
    assertThat(limited.texts()).containsExactly("m1", "m2", "third");
  }

  /**
   * The kill switch lets what waits go, and what it had booked ahead goes with it: back on, a new message went out
   * behind the old rate limit's queue (here 19 s behind a 1-a-second limit's).
   */
  @Test
  void backOnAfterTheKillSwitchAMessageDoesNotWaitForTheBookingsOfBefore() throws Exception {
    fixture = new WebSocketFixture(chaos("{\"messages_per_second\": 1, \"rate_limit_action\": \"delay\", \"direction\": \"downstream\"}"));
    WebSocketFixture.Received received = fixture.open("/echo");
    writeMessages(received, 20);
    assertThat(received.awaitTexts(1, 5_000)).startsWith("m1");
    fixture.state.enable(false);
    assertThat(received.awaitTexts(20, 5_000)).as("released by the kill switch").hasSize(20);
    fixture.state.enable(true);
    long sent = System.nanoTime();
    received.ws.writeTextMessage("after");
    assertThat(received.awaitTexts(21, 5_000)).endsWith("after");
    assertThat((System.nanoTime() - sent) / 1_000_000).as("ms until the message after arrived").isLessThan(900L);
  }

  @Test
  void anAbruptDisconnectIsSeenByTheClientAs1006() throws Exception {
    fixture = new WebSocketFixture(chaos("{\"disconnect_probability\": 1.0, \"close_code\": 1006}"));
    WebSocketFixture.Received received = fixture.open("/push?n=3");
    WebSocket ws = received.ws;
    assertThat(received.awaitClose()).isEqualTo("1006 null");
    assertThat(received.texts()).isEmpty();
  }

  @Test
  void disconnectsAfterTheConfiguredTime() throws Exception {
    fixture = new WebSocketFixture(chaos("{\"disconnect_after_ms\": 300}"));
    long start = System.nanoTime();
    WebSocketFixture.Received received = fixture.open("/echo");
    WebSocket ws = received.ws;
    assertThat(received.awaitClose()).isEqualTo("1001 faultline: injected disconnect");
    assertThat((System.nanoTime() - start) / 1_000_000).isBetween(290L, 2_000L);
  }

  @Test
  void pacesMessagesToTheRateLimit() throws Exception {
    fixture = new WebSocketFixture(chaos("{\"messages_per_second\": 20}"));
    WebSocketFixture.Received received = fixture.open("/push?n=41");
    WebSocket ws = received.ws;
    List<String> texts = received.awaitTexts(41, 5_000);
    assertThat(texts).hasSize(41);
    // A second's worth (20) goes at once, the next 21 one every 50 ms.
    assertThat(received.arrivals.get(19) - received.arrivals.get(0)).isLessThan(400L);
    assertThat(received.arrivals.get(40) - received.arrivals.get(0)).isBetween(1_000L, 2_500L);
  }

  @Test
  void dropsOrClosesOnMessagesBeyondTheRateLimitWhenAskedTo() throws Exception {
    fixture = new WebSocketFixture(chaos("{\"messages_per_second\": 5, \"rate_limit_action\": \"drop\"}"));
    // a second's worth passes (5, and one more for each 200 ms the 50 took to arrive), the rest is dropped
    assertThat(push(50).size()).isBetween(5, 7);
    fixture.close();
    // a fractional rate's second's worth is rounded up, as the HTTP bucket's: 2.5 a second lets 3 pass at once (it was 2)
    fixture = new WebSocketFixture(chaos("{\"messages_per_second\": 2.5, \"rate_limit_action\": \"drop\"}"));
    assertThat(push(50).size()).isBetween(3, 4);
    fixture.close();
    fixture = new WebSocketFixture(chaos("{\"messages_per_second\": 5, \"rate_limit_action\": \"close\"}"));
    // within the rate, messages sent back to back are no reason to close: that is 5 a second, not one per 200 ms
    WebSocketFixture.Received within = fixture.open("/push?n=5");
    assertThat(within.awaitTexts(5, 5_000)).hasSize(5);
    Thread.sleep(300);
    assertThat(within.ws.isClosed()).isFalse();
    WebSocketFixture.Received received = fixture.open("/push?n=50");
    WebSocket ws = received.ws;
    assertThat(received.awaitClose()).isEqualTo("1008 message rate limit exceeded");
  }

  @Test
  void limitsBandwidthOnFrames() throws Exception {
    fixture = new WebSocketFixture("{\"enabled\": true, \"traffic_shaping\": {\"bandwidth_limit_bps\": 20000}}");
    WebSocketFixture.Received received = fixture.open("/echo");
    WebSocket ws = received.ws;
    for (int i = 0; i < 5; i++) {
      ws.writeBinaryMessage(Buffer.buffer(new byte[4_000]));
    }
    received.awaitTexts(5, 10_000);
    // 20 kB each way at 20 kB/s: about a second up, pipelined with a second down.
    assertThat(received.frames).hasSize(5);
    assertThat(received.arrivals.get(4)).isBetween(750L, 4_000L);
  }

  @Test
  void rejectsOrDelaysTheHandshake() throws Exception {
    fixture = new WebSocketFixture("{\"enabled\": true, \"fault_injection\": {\"http_errors\": [503], \"http_error_probability\": 1.0}}");
    Throwable failure = fixture.tryConnect(new WebSocketConnectOptions().setURI("/echo"))
        .map(ws -> (Throwable) null).otherwise(e -> e).await();
    UpgradeRejectedException rejected = (UpgradeRejectedException) failure;
    assertThat(rejected.getStatus()).isEqualTo(503);
    assertThat(rejected.getHeaders().get("X-Faultline-Fault")).isEqualTo("http_error");
    fixture.close();

    // an injected gRPC status refuses it with the status it maps to and grpc_status_message, as the other listeners answer
    fixture = new WebSocketFixture("{\"enabled\": true, \"fault_injection\": {\"grpc_status_codes\": [\"UNAVAILABLE\"],"
        + " \"grpc_status_probability\": 1.0, \"grpc_status_message\": \"quota exceeded\"}}");
    UpgradeRejectedException status = (UpgradeRejectedException) fixture.tryConnect(new WebSocketConnectOptions().setURI("/echo"))
        .map(ws -> (Throwable) null).otherwise(e -> e).await();
    assertThat(status.getStatus()).isEqualTo(503);
    assertThat(status.getBody().toJsonObject().getString("error")).isEqualTo("quota exceeded");
    fixture.close();

    fixture = new WebSocketFixture(chaos("{\"handshake_delay_ms\": 250}"));
    long start = System.nanoTime();
    fixture.connect("/echo");
    assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(245);
  }

  @Test
  void limitsConnections() throws Exception {
    fixture = new WebSocketFixture("{\"enabled\": true, \"traffic_shaping\": {\"max_connections\": 1}}");
    WebSocket first = fixture.connect("/echo");
    boolean secondFailed = fixture.tryConnect(new WebSocketConnectOptions().setURI("/echo")).map(ws -> false).otherwise(true).await();
    assertThat(secondFailed).isTrue();
    assertThat(first.isClosed()).isFalse();
    // a closed WebSocket no longer counts: every upgraded connection stayed counted, so the limit came to refuse all
    first.close().await();
    for (int i = 0; i < 3; i++) {
      WebSocket next = connectWithin(5_000);
      next.close().await();
    }
  }

  /** Connects to /echo, trying again until the gate has seen the last connection close. */
  private WebSocket connectWithin(long ms) throws InterruptedException {
    long deadline = System.currentTimeMillis() + ms;
    while (true) {
      WebSocket ws = fixture.tryConnect(new WebSocketConnectOptions().setURI("/echo")).otherwise((WebSocket) null).await();
      if (ws != null) {
        return ws;
      }
      assertThat(System.currentTimeMillis()).as("a connection is let in once the last one closed").isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  @Test
  void chaosChangesApplyToNewConnectionsAndRulesTargetPaths() throws Exception {
    fixture = new WebSocketFixture(null);
    assertThat(push(50)).hasSize(50);
    fixture.state.set(WebSocketFixture.chaos("{\"enabled\": true, \"seed\": 1, \"rules\": [{\"name\": \"pushes\","
        + " \"match\": {\"path\": \"/push*\"}, \"websocket\": {\"message_drop_probability\": 1.0}}]}"));
    assertThat(push(50)).isEmpty();
    WebSocketFixture.Received received = fixture.open("/echo");
    WebSocket echo = received.ws;
    echo.writeTextMessage("untouched");
    assertThat(received.awaitTexts(1, 5_000)).containsExactly("untouched");
  }

  /**
   * Chaos that reaches an open connection draws from the snapshot in force then, as a handshake does: the same seed set
   * the same way drops the same messages on the next connection too. It drew from a count of every connection the
   * listener had taken, so the second try dropped other messages.
   */
  @Test
  void chaosThatReachesAnOpenConnectionIsReplayedByTheSameSeed() throws Exception {
    fixture = new WebSocketFixture(null);
    List<List<String>> tries = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      fixture.state.set(WebSocketFixture.chaos("{\"enabled\": false}"));
      WebSocketFixture.Received received = fixture.open("/echo");
      received.ws.writeTextMessage("first");
      assertThat(received.awaitTexts(1, 5_000)).containsExactly("first");
      int before = fixture.upstreamFrames.size();
      fixture.state.set(WebSocketFixture.chaos("{\"enabled\": true, \"seed\": 42, \"websocket\": {\"direction\": \"upstream\","
          + " \"message_drop_probability\": 0.5}}"));
      for (int i = 0; i < 40; i++) {
        received.ws.writeTextMessage("m" + i);
      }
      for (int i = 0; i < 20; i++) {
        received.ws.writeTextMessage("tail" + i); // the seed keeps some: the first to arrive comes after every m kept
      }
      long deadline = System.currentTimeMillis() + 10_000;
      List<String> reached;
      do {
        assertThat(System.currentTimeMillis()).as("the upstream gets a tail message").isLessThan(deadline);
        Thread.sleep(10);
        reached = fixture.upstreamFrames.subList(before, fixture.upstreamFrames.size()).stream().map(WebSocketFrame::textData).toList();
      } while (reached.stream().noneMatch(m -> m.startsWith("tail")));
      tries.add(reached.stream().filter(m -> m.startsWith("m")).toList());
      received.ws.close();
      received.awaitClose();
      int closed = t + 1;
      WebSocketProxyVerticleTest.awaitCondition(() -> fixture.upstreamCloses.size() == closed); // gone before the next try
    }
    assertThat(tries.get(0).size()).as("some dropped, some kept").isBetween(2, 38);
    assertThat(tries.get(1)).isEqualTo(tries.get(0));
  }

  /**
   * A change made while a connection is open acts on its next message, as a tcp connection's toxics do: chaos
   * switched on for a connection opened without it, a section changed, chaos switched off. A connection kept
   * its handshake's chaos for life, so a live feed never saw a change. Its faults are counted from then on.
   */
  @Test
  void aChangeReachesAnOpenConnectionAtItsNextMessage() throws Exception {
    fixture = new WebSocketFixture(null);
    WebSocketFixture.Received received = fixture.open("/echo");
    received.ws.writeTextMessage("m1");
    assertThat(received.awaitTexts(1, 5_000)).containsExactly("m1");

    fixture.state.set(WebSocketFixture.chaos("{\"enabled\": true, \"websocket\": {\"direction\": \"downstream\","
        + " \"message_drop_probability\": 1.0}}"));
    received.ws.writeTextMessage("m2");
    received.ws.writeTextMessage("m3");
    awaitUpstream(3);
    Thread.sleep(300);
    assertThat(received.texts()).as("the echoes of m2 and m3 dropped").containsExactly("m1");

    fixture.state.set(WebSocketFixture.chaos("{\"enabled\": true, \"websocket\": {\"direction\": \"downstream\","
        + " \"message_duplicate_probability\": 1.0}}"));
    received.ws.writeTextMessage("m4");
    assertThat(received.awaitTexts(3, 5_000)).containsExactly("m1", "m4", "m4");

    fixture.state.enable(false);
    received.ws.writeTextMessage("m5");
    assertThat(received.awaitTexts(4, 5_000)).containsExactly("m1", "m4", "m4", "m5");

    // a disconnect_after_ms set while a silent connection is open closes it that long after its upgrade
    fixture.state.set(WebSocketFixture.chaos("{\"enabled\": true, \"websocket\": {\"disconnect_after_ms\": 100,"
        + " \"close_code\": 4000, \"close_reason\": \"later\"}}"));
    assertThat(received.awaitClose()).isEqualTo("4000 later");
    fixture.events.await("the connection's completion", () -> fixture.events.completions().size() == 1);
    assertThat(fixture.events.faults()).containsExactly("message_drop", "message_drop", "message_duplicate", "disconnect");
  }

  /**
   * A rate raised while messages are held starts with a full bucket: what the slow rate had booked ahead is
   * not carried over (a message sent after the change was dropped as over the new rate of 1000/s).
   */
  @Test
  void aRateChangedWhileMessagesAreHeldStartsAfresh() throws Exception {
    fixture = new WebSocketFixture(chaos("{\"direction\": \"downstream\", \"messages_per_second\": 2}"));
    WebSocketFixture.Received received = fixture.open("/echo");
    writeMessages(received, 6);
    // two pass at once, four are held half a second apart: all six decided before the change
    fixture.events.await("four echoes held", () -> fixture.events.faults("message_rate_limit") == 4);
    fixture.state.set(WebSocketFixture.chaos("{\"enabled\": true, \"websocket\": {\"direction\": \"downstream\","
        + " \"messages_per_second\": 1000, \"rate_limit_action\": \"drop\"}}"));
    received.ws.writeTextMessage("after");
    assertThat(received.awaitTexts(7, 10_000)).containsExactly("m1", "m2", "m3", "m4", "m5", "m6", "after");
    assertThat(fixture.events.faults("message_rate_limit")).as("the four held, not the one after").isEqualTo(4);
  }

  /**
   * A disconnect decided for a message still held does not go once the kill switch is thrown before it is
   * through: what waits goes as if chaos had never touched it (it threw instead, leaving the connection and
   * what waited behind it stuck).
   */
  @Test
  void aDisconnectDecidedBeforeTheKillSwitchDoesNotGo() throws Exception {
    WebSocketFixture.Received received = disconnectHeldThenKillSwitch();
    received.ws.writeTextMessage("m2");
    assertThat(received.awaitTexts(2, 5_000)).containsExactly("m1", "m2");
    Thread.sleep(300);
    assertThat(received.closed.future().isComplete()).as("still open").isFalse();
  }

  /**
   * A disconnect the kill switch let go unsaid is decided again once chaos is back on, at the next message. (The lane
   * now says so itself: it was left to the connection seeing chaos off, which one that saw chaos off and on between two
   * of its follow-ups never did. That race is not made here; this is the path around it, which passed before too.)
   */
  @Test
  void aDisconnectTheKillSwitchLetGoUnsaidGoesAtTheNextMessageOnceChaosIsBack() throws Exception {
    WebSocketFixture.Received received = disconnectHeldThenKillSwitch();
    assertThat(received.awaitTexts(1, 5_000)).as("released by the switch").containsExactly("m1");
    fixture.state.enable(true);
    received.ws.writeTextMessage("m2");
    assertThat(received.awaitClose()).isEqualTo("4001 after one");
    assertThat(received.texts()).containsExactly("m1", "m2");
  }

  /** Chaos back on with neither the websocket nor the latency section leaves nothing of the old ones on an open connection. */
  @Test
  void chaosBackOnWithoutTheSectionsLeavesNothingOfThem() throws Exception {
    fixture = new WebSocketFixture(chaos("{\"direction\": \"downstream\", \"message_drop_probability\": 1.0}"));
    WebSocketFixture.Received received = fixture.open("/echo");
    fixture.state.enable(false);
    fixture.state.set(WebSocketFixture.chaos("{\"enabled\": true, \"fault_injection\": {\"http_errors\": [503],"
        + " \"http_error_probability\": 1.0}}"));
    received.ws.writeTextMessage("kept");
    assertThat(received.awaitTexts(1, 5_000)).containsExactly("kept");
  }

  /** A disconnect_after_ms that fell due while chaos was off closes the connection once chaos is back on (it never did). */
  @Test
  void aDisconnectThatFellDueWhileChaosWasOffGoesWhenItIsBack() throws Exception {
    fixture = new WebSocketFixture(chaos("{\"disconnect_after_ms\": 1000, \"close_code\": 4002, \"close_reason\": \"late\"}"));
    WebSocketFixture.Received received = fixture.open("/echo");
    fixture.state.enable(false);
    Thread.sleep(1_500);
    assertThat(received.closed.future().isComplete()).as("not while chaos is off").isFalse();
    fixture.state.enable(true);
    assertThat(received.awaitClose()).isEqualTo("4002 late");
  }

  /**
   * A connection whose first echo ({@code m1}) carries a disconnect (after one message) and is held 400 ms, the kill
   * switch thrown once that was decided.
   */
  private WebSocketFixture.Received disconnectHeldThenKillSwitch() throws Exception {
    fixture = new WebSocketFixture("{\"enabled\": true, \"latency\": {\"fixed_delay_ms\": 400}, \"websocket\": {\"direction\": \"downstream\","
        + " \"disconnect_after_messages\": 1, \"close_code\": 4001, \"close_reason\": \"after one\"}}");
    WebSocketFixture.Received received = fixture.open("/echo");
    received.ws.writeTextMessage("m1");
    // its echo is decided (held, the disconnect behind it) before the switch
    fixture.events.await("the echo's disconnect decided", () -> fixture.events.faults("disconnect") == 1);
    fixture.state.enable(false);
    return received;
  }

  private void awaitUpstream(int frames) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 5_000;
    while (fixture.upstreamFrames.size() < frames) {
      assertThat(System.currentTimeMillis()).as("the upstream gets " + frames + " frames").isLessThan(deadline);
      Thread.sleep(10);
    }
  }
}
