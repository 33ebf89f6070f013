package io.faultline.protocol.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.event.ExchangeRecord;
import io.faultline.chaos.testing.RecordingListener;
import io.faultline.chaos.testing.Upstreams;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What an HTTP listener reports: every exchange counted once, faults from the decisions, a record of each faulted exchange. */
class HttpCountingTest {

  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

  @Test
  void aFaultedExchangeIsRecordedOnceWithWhatTheClientGot() {
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "latency": {"fixed_delay_ms": 20},
         "fault_injection": {"http_errors": [503], "http_error_probability": 1.0}}""")) {
      int status = gw.client.get("/orders/7?verbose=1").putHeader("traceparent", "00-" + TRACE + "-00f067aa0ba902b7-01")
          .send().await().statusCode();
      assertThat(status).isEqualTo(503);
      RecordingListener events = gw.events;
      events.await("the exchange's record", () -> events.records().size() == 1);
      ExchangeRecord record = events.records().get(0);
      assertThat(record.listener()).isEqualTo("web");
      assertThat(record.protocol()).isEqualTo("http");
      assertThat(record.route()).isEqualTo("default");
      assertThat(record.method()).isEqualTo("GET");
      assertThat(record.path()).isEqualTo("/orders/7");
      assertThat(record.status()).isEqualTo(503);
      assertThat(record.outcome()).isEqualTo("5xx");
      assertThat(record.faults()).containsExactly("latency", "http_error");
      assertThat(record.injectedDelayMs()).isEqualTo(20);
      assertThat(record.durationNanos()).isGreaterThanOrEqualTo(20_000_000L);
      assertThat(record.traceId()).isEqualTo(TRACE);
      assertThat(events.faults()).containsExactly("latency", "http_error");
      assertThat(events.completions()).extracting(RecordingListener.Completion::outcome).containsExactly("5xx");
    }
  }

  @Test
  void aConnectionErrorIsCountedUnderItsFieldsName() {
    try (GatewayFixture gw = new GatewayFixture("{\"enabled\": true, \"fault_injection\": {\"connection_error_probability\": 1.0}}")) {
      gw.client.get("/x").send().otherwiseEmpty().await();
      RecordingListener events = gw.events;
      events.await("the exchange's record", () -> events.records().size() == 1);
      // it was reset_peer, the TCP toxic's name: a query for connection_error found nothing
      assertThat(events.faults()).containsExactly("connection_error");
    }
  }

  @Test
  void aCutResponseIsOneFaultNotTwo() {
    for (String cut : new String[] {"\"traffic_shaping\": {\"packet_loss_percent\": 100}",
        "\"fault_injection\": {\"partial_response_probability\": 1.0}"}) {
      try (GatewayFixture gw = new GatewayFixture("{\"enabled\": true, " + cut + "}")) {
        gw.client.get("/api/bytes").send().otherwiseEmpty().await();
        RecordingListener events = gw.events;
        events.await("the exchange's record", () -> events.records().size() == 1);
        // counted when it was decided and again when the cut response was forwarded: metrics, traffic
        // summaries, fault shares and step fault counts showed two faults a request
        assertThat(events.faults()).as(cut).hasSize(1);
        assertThat(events.records().get(0).faults()).as(cut).hasSize(1);
      }
    }
  }

  @Test
  void anExchangeChaosOnlyDelaysIsForwardedAfterItsDelayAndRecordedOnce() {
    // what the upstream gets (method, URI, body, headers, X-Forwarded-*): HttpProxyVerticleTest, mode "delayed"
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "latency": {"fixed_delay_ms": 40}}""")) {
      long started = System.nanoTime();
      HttpResponse<Buffer> answer = gw.client.post("/orders/7?verbose=1")
          .putHeader("traceparent", "00-" + TRACE + "-00f067aa0ba902b7-01").sendBuffer(Buffer.buffer("the body")).await();
      long tookMs = (System.nanoTime() - started) / 1_000_000;
      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(tookMs).as("delayed by the fixed delay").isGreaterThanOrEqualTo(40);
      assertThat(answer.bodyAsJsonObject().getJsonObject("headers").getString("traceparent"))
          .as("untraced: the client's trace context goes on").contains(TRACE);

      RecordingListener events = gw.events;
      events.await("the exchange's record", () -> events.records().size() == 1);
      ExchangeRecord record = events.records().get(0);
      assertThat(record.path()).isEqualTo("/orders/7");
      assertThat(record.status()).isEqualTo(200);
      assertThat(record.outcome()).isEqualTo("2xx");
      assertThat(record.faults()).containsExactly("latency");
      assertThat(record.injectedDelayMs()).isEqualTo(40);
      assertThat(record.durationNanos()).isGreaterThanOrEqualTo(40_000_000L);
      assertThat(record.traceId()).isEqualTo(TRACE);
      assertThat(events.faults()).containsExactly("latency");
      assertThat(events.completions()).extracting(RecordingListener.Completion::outcome).containsExactly("2xx");
    }
  }

  @Test
  void aDelayedExchangeWhoseUpstreamIsDownIsAnswered502AndRecordedAsSuch() {
    int closedPort = Upstreams.portToListenOn();
    ListenerConfig listener = new ListenerConfig("web", "http", "127.0.0.1", 0, "http://127.0.0.1:" + closedPort, null,
        2_000L, null, 1, null, null);
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "latency": {"fixed_delay_ms": 20}}""", listener)) {
      assertThat(gw.get("/a").statusCode()).isEqualTo(502);
      RecordingListener events = gw.events;
      events.await("the exchange's record", () -> events.records().size() == 1);
      assertThat(events.records().get(0).status()).isEqualTo(502);
      assertThat(events.records().get(0).faults()).containsExactly("latency");
      assertThat(events.completions()).extracting(RecordingListener.Completion::outcome).containsExactly("5xx");
    }
  }

  @Test
  void aClientThatLeavesDuringTheDelayIsCountedDroppedAndNeverReachesTheUpstream() throws Exception {
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "latency": {"fixed_delay_ms": 300}}""")) {
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gw.port)) {
        socket.getOutputStream().write("GET /a HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        RecordingListener events = gw.events;
        events.await("the delay's fault", () -> events.faults().size() == 1);
      }
      RecordingListener events = gw.events;
      events.await("the exchange's end", () -> events.completions().size() == 1);
      Thread.sleep(400); // past the delay: nothing may go upstream, nor be counted twice
      assertThat(events.completions()).extracting(RecordingListener.Completion::outcome).containsExactly("dropped");
      assertThat(gw.upstream.hits().get()).isZero();
    }
  }

  /**
   * A client that leaves while its upstream works on the answer is counted dropped when it leaves, with the
   * time it stayed, and the upstream's call is given up then (its connection closed), chaos off, on with
   * nothing drawn, or a delay drawn. A hunt's clients that gave up after 0.3 s on a 3 s answer were counted
   * only when the upstream answered, 3 s long (a run's p99 and the health score took the upstream's time), and
   * the upstream worked on for nobody.
   */
  @ParameterizedTest(name = "chaos {0}")
  @ValueSource(strings = {"null", "{\"enabled\": true, \"latency\": {\"fixed_delay_ms\": 1, \"probability\": 0}}",
      "{\"enabled\": true, \"latency\": {\"fixed_delay_ms\": 1}}"})
  void aClientThatLeavesBeforeTheAnswerIsCountedDroppedWhenItLeavesAndTheUpstreamCallEnds(String chaos) throws Exception {
    io.vertx.core.Vertx upstreamVertx = io.vertx.core.Vertx.vertx();
    try {
      io.vertx.core.Promise<Void> upstreamAsked = io.vertx.core.Promise.promise();
      io.vertx.core.Promise<Long> upstreamLetGo = io.vertx.core.Promise.promise();
      io.vertx.core.http.HttpServer upstream = upstreamVertx.createHttpServer().requestHandler(request -> {
        upstreamAsked.tryComplete(); // and never answers
        request.connection().closeHandler(v -> upstreamLetGo.tryComplete(System.nanoTime()));
      });
      upstream.listen(Upstreams.portToListenOn(), "127.0.0.1").await();
      ListenerConfig listener = new ListenerConfig("web", "http", "127.0.0.1", 0, "http://127.0.0.1:" + upstream.actualPort(),
          null, 30_000L, null, 1, null, null);
      try (GatewayFixture gw = new GatewayFixture(chaos.equals("null") ? null : chaos, listener)) {
        long left;
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gw.port)) {
          socket.getOutputStream().write("GET /report HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
          socket.getOutputStream().flush();
          upstreamAsked.future().await(5, java.util.concurrent.TimeUnit.SECONDS);
          Thread.sleep(200);
          left = System.nanoTime();
        }
        RecordingListener events = gw.events;
        events.await("the exchange's end", () -> events.completions().size() == 1);
        long countedAfterMs = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - left);
        RecordingListener.Completion completion = events.completions().get(0);
        assertThat(completion.outcome()).isEqualTo("dropped");
        assertThat(countedAfterMs).as("ms from the client's leaving to its count").isLessThan(5_000);
        assertThat(java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(completion.durationNanos())).as("the exchange's time, ms")
            .isBetween(150L, 5_000L);
        long letGo = upstreamLetGo.future().await(5, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(letGo - left)).as("ms until the upstream call ended").isLessThan(5_000);
        Thread.sleep(200);
        assertThat(events.completions()).as("counted once").hasSize(1);
      }
    } finally {
      upstreamVertx.close().await();
    }
  }

  /**
   * A client that leaves mid-answer is dropped, chaos off or on: counted at the answer's head, an untouched
   * exchange was 2xx with chaos off and dropped with it on (a hunt's 1,000 clients moved from one to the other
   * when a 5 ms delay was switched on). Answers that end are counted as answered, over HTTP/1.1 and HTTP/2.
   */
  @ParameterizedTest(name = "chaos {0}")
  @ValueSource(strings = {"null", "{\"enabled\": true, \"latency\": {\"fixed_delay_ms\": 1}}"})
  void aClientThatLeavesMidAnswerIsDroppedChaosOffOrOn(String chaos) throws Exception {
    try (GatewayFixture gw = new GatewayFixture(chaos.equals("null") ? null : chaos)) {
      assertThat(gw.get("/a").statusCode()).isEqualTo(200);
      assertThat(gw.h2c().request(io.vertx.core.http.HttpMethod.GET, "/b").compose(req -> req.send()
          .compose(resp -> resp.body().map(b -> resp.statusCode()))).await()).isEqualTo(200);
      RecordingListener events = gw.events;
      events.await("two answers", () -> events.completions().size() == 2);
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gw.port)) {
        socket.getOutputStream().write("GET /stall/1500 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        byte[] first = new byte[64];
        assertThat(socket.getInputStream().read(first)).as("the answer's head").isPositive();
      }
      events.await("the third count", () -> events.completions().size() == 3);
      Thread.sleep(1_700); // past the upstream's end: counted once
      assertThat(events.completions()).extracting(RecordingListener.Completion::outcome).containsExactly("2xx", "2xx", "dropped");
    }
  }

  @Test
  void untouchedExchangesAreCountedButRecordedOnlyWhenAListenerAsks() {
    try (GatewayFixture gw = new GatewayFixture(null)) {
      RecordingListener events = gw.events;
      assertThat(gw.get("/a").statusCode()).isEqualTo(200);
      events.await("the first completion", () -> events.completions().size() == 1);
      assertThat(events.records()).isEmpty();

      events.recordingEveryExchange(true);
      assertThat(gw.client.get("/b").putHeader("traceparent", "00-" + "0".repeat(32) + "-00f067aa0ba902b7-01")
          .send().await().statusCode()).isEqualTo(200);
      events.await("the second record", () -> events.records().size() == 1);
      ExchangeRecord record = events.records().get(0);
      assertThat(record.path()).isEqualTo("/b");
      assertThat(record.faults()).isEmpty();
      assertThat(record.outcome()).isEqualTo("2xx");
      assertThat(record.traceId()).as("an all-zero trace id is invalid").isNull();
      assertThat(events.completions()).hasSize(2);
    }
  }

  /**
   * A cut counts when it is applied, to an upstream's answer: an upstream that fails before answering leaves
   * nothing to cut, and the client gets its 502 whole. The gateway cut its own 502 (the client saw its
   * connection close), and counted the cut when decided: cut faults overstated the cuts whenever the
   * upstream failed or the client left first.
   */
  @Test
  void aCutDecidedForAnAnswerThatNeverCameIsNotCounted() {
    int closedPort = Upstreams.portToListenOn();
    ListenerConfig listener = new ListenerConfig("web", "http", "127.0.0.1", 0, "http://127.0.0.1:" + closedPort, null,
        2_000L, null, 1, null, null);
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "fault_injection": {"partial_response_probability": 1.0}}""", listener)) {
      assertThat(gw.get("/a").statusCode()).as("the gateway's own answer goes whole").isEqualTo(502);
      RecordingListener events = gw.events;
      events.await("the exchange's end", () -> events.completions().size() == 1);
      assertThat(events.completions()).extracting(RecordingListener.Completion::outcome).containsExactly("5xx");
      assertThat(events.faults()).as("faults counted").isEmpty();
      assertThat(events.records()).as("recorded as faulted").isEmpty();
    }
  }

  @Test
  void aCutResponseCountsAsDroppedAsOnEveryListener() {
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "fault_injection": {"partial_response_probability": 1.0}}""")) {
      assertThat(HttpChaosTest.raw(gw, "/bytes/100000").broken()).isTrue();
      RecordingListener events = gw.events;
      events.await("the exchange's end", () -> events.records().size() == 1);
      assertThat(events.completions()).extracting(RecordingListener.Completion::outcome).containsExactly("dropped");
      assertThat(events.records().get(0).faults()).containsExactly("partial_response");
      assertThat(events.records().get(0).status()).isEqualTo(200);
    }
  }
}
