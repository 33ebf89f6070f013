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
