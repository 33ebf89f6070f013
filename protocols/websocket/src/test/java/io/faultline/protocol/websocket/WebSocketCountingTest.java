package io.faultline.protocol.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.engine.FaultTypes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A WebSocket listener counts faults as every listener does: each fault once per exchange (connection) it touches. */
class WebSocketCountingTest {

  private WebSocketFixture fixture;

  @AfterEach
  void close() {
    if (fixture != null) {
      fixture.close();
    }
  }

  /**
   * A client that leaves during a handshake delay is counted dropped when it leaves, with the time it stayed,
   * and the upstream never sees it. A hunt's client gone at 0.5 s of a 2 s delay was counted at 2 s, its
   * duration 2001.3 ms.
   */
  @Test
  void aClientThatLeavesDuringTheHandshakeDelayIsDroppedThen() throws Exception {
    fixture = new WebSocketFixture("{\"enabled\": true, \"websocket\": {\"handshake_delay_ms\": 3000}}");
    long left;
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", fixture.port)) {
      socket.getOutputStream().write(("GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      fixture.events.await("the delay's fault", () -> fixture.events.faults().contains("handshake_delay"));
      Thread.sleep(200);
      left = System.nanoTime();
    }
    fixture.events.await("the connection's completion", () -> fixture.events.completions().size() == 1);
    long countedAfterMs = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - left);
    assertThat(fixture.events.completions().get(0).outcome()).isEqualTo("dropped");
    assertThat(countedAfterMs).as("ms from the client's leaving to its count").isLessThan(2_000);
    assertThat(java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(fixture.events.completions().get(0).durationNanos()))
        .as("its time, ms").isLessThan(2_000);
    Thread.sleep(3_000); // past the delay: not counted again, never upstream
    assertThat(fixture.events.completions()).hasSize(1);
    assertThat(fixture.upstreamFrames).isEmpty();
  }

  /**
   * Clients that give up during a handshake delay count neither way for a circuit breaker: two of them opened a
   * breaker of threshold 2 (each counted as the upstream's failure), and every upgrade after got a 503.
   */
  @Test
  void clientsThatLeaveDuringTheHandshakeDelayDoNotOpenTheBreaker() throws Exception {
    fixture = new WebSocketFixture("{\"enabled\": true, \"websocket\": {\"handshake_delay_ms\": 1000},"
        + " \"circuit_breaker\": {\"failure_threshold\": 2, \"reset_timeout_ms\": 60000}}");
    for (int i = 1; i <= 2; i++) {
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", fixture.port)) {
        socket.getOutputStream().write(("GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        int n = i;
        fixture.events.await("the delay's fault", () -> fixture.events.faults().stream().filter("handshake_delay"::equals).count() == n);
      }
      int n = i;
      fixture.events.await("the connection dropped", () -> fixture.events.completions().size() == n);
    }
    WebSocketFixture.Received received = fixture.open("/push?n=1");
    assertThat(received.awaitTexts(1, 5_000)).as("upgraded through a closed breaker").hasSize(1);
  }

  /**
   * A half-open breaker's probe is settled by its 101: told only when the connection ended, a probe connection left open
   * held the breaker half-open, and every other upgrade got a 503 for as long as it stayed open.
   */
  @Test
  void aHalfOpenBreakersProbeClosesItAtItsUpgradeNotAtItsEnd() throws Exception {
    String breaker = "\"circuit_breaker\": {\"failure_threshold\": 1, \"reset_timeout_ms\": 300}";
    fixture = new WebSocketFixture("{\"enabled\": true, \"fault_injection\": {\"http_errors\": [503], \"http_error_probability\": 1.0}, "
        + breaker + "}");
    assertThat(fixture.tryConnect(new io.vertx.core.http.WebSocketConnectOptions().setURI("/echo")).toCompletionStage()
        .toCompletableFuture().handle((ws, e) -> e).get(5, java.util.concurrent.TimeUnit.SECONDS)).as("the injected 503").isNotNull();
    fixture.state.set(WebSocketFixture.chaos("{\"enabled\": true, " + breaker + "}")); // the breaker, open, kept
    Thread.sleep(500); // past reset_timeout_ms: half-open
    WebSocketFixture.Received probe = fixture.open("/echo");
    assertThat(probe.ws.isClosed()).isFalse();
    WebSocketFixture.Received next = fixture.open("/echo");
    assertThat(next.ws.isClosed()).as("upgraded beside the probe, still open: the breaker closed at its 101").isFalse();
    probe.ws.close().await();
    next.ws.close().await();
  }

  /**
   * A connection's duration is to its 101, as every request's is to its response's start, not to its close:
   * a session held for 1.5 s took 1.5 s in the duration histogram and the recorder, with chaos off and on.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"{}", "{\"enabled\": true, \"websocket\": {\"handshake_delay_ms\": 100}}"})
  void aConnectionsDurationIsToItsUpgrade(String chaos) throws Exception {
    fixture = new WebSocketFixture(chaos);
    WebSocketFixture.Received received = fixture.open("/push?n=1");
    assertThat(received.awaitTexts(1, 5_000)).hasSize(1);
    Thread.sleep(1_500);
    received.ws.close().await();
    fixture.events.await("the connection's completion", () -> fixture.events.completions().size() == 1);
    long ms = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(fixture.events.completions().get(0).durationNanos());
    assertThat(ms).as("its duration, ms, for a connection open 1.5 s").isLessThan(1_000);
    if (chaos.contains("handshake_delay_ms")) {
      assertThat(ms).as("the handshake delay is in it").isGreaterThanOrEqualTo(95);
    }
  }

  @Test
  void aBandwidthLimitIsCountedOncePerConnection() throws Exception {
    fixture = new WebSocketFixture("{\"enabled\": true, \"traffic_shaping\": {\"bandwidth_limit_bps\": 1000000}}");
    WebSocketFixture.Received received = fixture.open("/push?n=3");
    assertThat(received.awaitTexts(3, 5_000)).hasSize(3);
    received.ws.close().await();
    fixture.events.await("the connection's completion", () -> fixture.events.completions().size() == 1);
    assertThat(fixture.events.faults()).containsExactly("bandwidth");
  }

  @Test
  void everyFaultTypeAConnectionCountsIsARegisteredOne() throws Exception {
    fixture = new WebSocketFixture("{\"enabled\": true, \"seed\": 7, \"websocket\": {\"handshake_delay_ms\": 20,"
        + " \"message_drop_probability\": 0.3, \"messages_per_second\": 10, \"rate_limit_action\": \"drop\"}}");
    WebSocketFixture.Received received = fixture.open("/push?n=50");
    received.awaitTexts(50, 1_000);
    received.ws.close().await();
    fixture.events.await("the connection's completion", () -> fixture.events.completions().size() == 1);
    // 50 messages at once at 10/s: past the first second's worth they are over the rate; a 0.3 share is dropped anyway.
    assertThat(fixture.events.faults()).contains("handshake_delay", "message_rate_limit");
    assertThat(FaultTypes.names()).containsAll(fixture.events.faults());
    assertThat(fixture.events.latencies()).containsExactly(20L);
    assertThat(fixture.events.records()).singleElement().satisfies(record -> {
      assertThat(record.protocol()).isEqualTo("websocket");
      assertThat(record.status()).isEqualTo(101);
      assertThat(record.faults()).startsWith("handshake_delay").contains("message_rate_limit");
    });
  }

  /**
   * Each message the limit drops counts once, as the limit's (it also counted as a message_drop, so the drop
   * probability measured from the counts was far above the one configured).
   */
  @Test
  void aMessageTheRateLimitDropsIsCountedOnceAsTheLimits() throws Exception {
    fixture = new WebSocketFixture("{\"enabled\": true, \"seed\": 3, \"websocket\": {\"direction\": \"downstream\","
        + " \"message_drop_probability\": 0.5, \"messages_per_second\": 20, \"rate_limit_action\": \"drop\"}}");
    WebSocketFixture.Received received = fixture.open("/push?n=300");
    int delivered = received.awaitTexts(300, 1_500).size();
    received.ws.close().await();
    fixture.events.await("the connection's completion", () -> fixture.events.completions().size() == 1);
    long dropped = fixture.events.faults("message_drop");
    long limited = fixture.events.faults("message_rate_limit");
    assertThat(delivered + dropped + limited).as("delivered " + delivered + ", dropped " + dropped + ", limited " + limited)
        .isEqualTo(300);
    // the limit's bucket takes 20 of those the draws let through (about 150): about 130 are the limit's
    assertThat(limited).isBetween(100L, 160L);
    assertThat(dropped).isBetween(120L, 180L);
  }

  /** Each message the limit holds back counts, as the limit's (held messages went uncounted). */
  @Test
  void aMessageTheRateLimitHoldsBackIsCounted() throws Exception {
    fixture = new WebSocketFixture("{\"enabled\": true, \"websocket\": {\"direction\": \"downstream\","
        + " \"messages_per_second\": 50, \"rate_limit_action\": \"delay\"}}");
    WebSocketFixture.Received received = fixture.open("/push?n=100");
    assertThat(received.awaitTexts(100, 10_000)).hasSize(100);
    received.ws.close().await();
    fixture.events.await("the connection's completion", () -> fixture.events.completions().size() == 1);
    // 100 at once at 50/s: a second's worth (50) passes, the rest is held (fewer if the pushing took a while)
    assertThat(fixture.events.faults("message_rate_limit")).isBetween(25L, 50L);
    assertThat(fixture.events.faults()).containsOnly("message_rate_limit");
  }
}
