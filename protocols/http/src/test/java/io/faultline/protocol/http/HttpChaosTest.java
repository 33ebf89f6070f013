package io.faultline.protocol.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.chaos.limit.Bulkhead;
import io.faultline.chaos.limit.CircuitBreaker;
import io.faultline.chaos.testing.Timing;
import io.faultline.chaos.testing.Upstreams;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Every HTTP fault, observed by a real client through the real proxy verticle. */
class HttpChaosTest {

  /** What a raw client saw: the status and declared length if headers came, the bytes that came, and whether the connection broke. */
  record Observed(int status, long declaredLength, int received, String fault, boolean broken) {
  }

  static Observed raw(GatewayFixture gw, String path) {
    return raw(gw, HttpMethod.GET, path);
  }

  static Observed raw(GatewayFixture gw, HttpMethod method, String path) {
    HttpClientAgent client = gw.vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(gw.port));
    Promise<Observed> result = Promise.promise();
    client.request(method, path).compose(req -> req.send()).onComplete(ar -> {
      if (ar.failed()) {
        result.tryComplete(new Observed(-1, -1, 0, null, true));
        return;
      }
      var resp = ar.result();
      long declared = resp.getHeader("content-length") == null ? -1 : Long.parseLong(resp.getHeader("content-length"));
      int[] received = {0};
      resp.handler(buf -> received[0] += buf.length());
      resp.exceptionHandler(err -> result.tryComplete(
          new Observed(resp.statusCode(), declared, received[0], resp.getHeader(HttpDecisions.FAULT_HEADER), true)));
      resp.endHandler(v -> result.tryComplete(
          new Observed(resp.statusCode(), declared, received[0], resp.getHeader(HttpDecisions.FAULT_HEADER), false)));
    });
    Observed observed;
    try {
      // bounded: a client left without an end or an error fails this test, not the module's whole fork 15 minutes on
      observed = result.future().await(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no end of the answer and no error within 30 s: " + method + " " + path, e);
    } finally {
      client.close();
    }
    return observed;
  }

  @Test
  void latencyDelaysTheResponseByTheFixedDelay() {
    try (GatewayFixture gw = new GatewayFixture("{\"enabled\": true, \"latency\": {\"fixed_delay_ms\": 300}}")) {
      gw.get("/warmup");
      var timed = Timing.time(() -> gw.get("/x"));
      assertThat(timed.value().statusCode()).isEqualTo(200);
      // 300 ms injected; the upper bound is generous for a loaded CI box, speed is measured in deploy/bench.
      Timing.assertElapsedBetween(timed.elapsedMs(), 295, 1_500);
    }
  }

  @Test
  void randomLatencyStaysInItsRange() {
    try (GatewayFixture gw = new GatewayFixture("{\"enabled\": true, \"latency\": {\"random_delay_range_ms\": [100, 250]}}")) {
      for (int i = 0; i < 5; i++) {
        var timed = Timing.time(() -> gw.get("/x"));
        Timing.assertElapsedBetween(timed.elapsedMs(), 95, 1_250);
      }
    }
  }

  @Test
  void httpErrorAnswersWithoutCallingTheUpstream() {
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "fault_injection": {"http_errors": [503], "http_error_probability": 1.0}}""")) {
      HttpResponse<Buffer> response = gw.get("/x");
      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
      assertThat(response.getHeader(HttpDecisions.FAULT_HEADER)).isEqualTo("http_error");
      assertThat(response.bodyAsJsonObject().getString("fault")).isEqualTo("http_error");
      assertThat(gw.upstream.hits().get()).isZero();
    }
  }

  @Test
  void seededErrorProbabilityReplaysTheSameSequence() {
    String chaos = """
        {"enabled": true, "seed": 7, "fault_injection": {"http_errors": [500, 503], "http_error_probability": 0.3}}""";
    List<Integer> first = statuses(chaos, 100);
    List<Integer> second = statuses(chaos, 100);
    assertThat(second).isEqualTo(first);
    long errors = first.stream().filter(s -> s >= 500).count();
    // Seeded, so the count is fixed; the bound only says the rate is roughly what was asked for.
    assertThat(errors).isBetween(15L, 45L);
    assertThat(first).contains(200, 500, 503);
  }

  private static List<Integer> statuses(String chaos, int n) {
    try (GatewayFixture gw = new GatewayFixture(chaos)) {
      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        statuses.add(gw.get("/x").statusCode());
      }
      return statuses;
    }
  }

  @Test
  void timeoutHoldsTheRequestThenClosesTheConnection() {
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "fault_injection": {"timeout_probability": 1.0, "timeout_ms": 400}}""")) {
      var timed = Timing.time(() -> raw(gw, "/x"));
      assertThat(timed.value().broken()).isTrue();
      assertThat(timed.value().status()).as("no response at all").isEqualTo(-1);
      Timing.assertElapsedBetween(timed.elapsedMs(), 390, 2_500);
      assertThat(gw.upstream.hits().get()).isZero();
    }
  }

  @Test
  void connectionErrorClosesWithoutAResponse() {
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "fault_injection": {"connection_error_probability": 1.0}}""")) {
      assertThatThrownBy(() -> gw.get("/x")).hasMessageContaining("closed");
      assertThat(gw.upstream.hits().get()).isZero();
    }
  }

  @Test
  void partialResponseSendsHalfTheBodyThenCloses() {
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "fault_injection": {"partial_response_probability": 1.0}}""")) {
      Observed observed = raw(gw, "/bytes/100000");
      assertThat(observed.status()).isEqualTo(200);
      assertThat(observed.declaredLength()).isEqualTo(100_000);
      assertThat(observed.fault()).isEqualTo("partial_response");
      assertThat(observed.broken()).isTrue();
      assertThat(observed.received()).isEqualTo(50_000);
    }
  }

  /**
   * Over HTTP/2 the cut is as exact: half the body, then the stream's reset. The reset went out as the cut came,
   * and took the DATA frames HTTP/2's flow control still held with it: an h2 client got 474,788-491,520 bytes
   * of a cut at 500,000, by run.
   */
  @Test
  void partialResponseOverHttp2SendsExactlyHalfTheBodyThenResets() {
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "fault_injection": {"partial_response_probability": 1.0}}""")) {
      for (int run = 0; run < 3; run++) {
        io.vertx.core.Promise<Long> broken = io.vertx.core.Promise.promise();
        long[] received = {0};
        gw.h2c().request(io.vertx.core.http.HttpMethod.GET, "/bytes/1000000").compose(req -> req.send()).onComplete(ar -> {
          if (ar.failed()) {
            broken.tryFail(ar.cause());
            return;
          }
          ar.result().handler(chunk -> received[0] += chunk.length());
          ar.result().exceptionHandler(e -> broken.tryComplete(received[0]));
          ar.result().endHandler(v -> broken.tryFail("the answer ended whole, after " + received[0] + " bytes"));
        });
        assertThat(broken.future().await()).as("bytes before the reset, run %d", run).isEqualTo(500_000);
      }
    }
  }

  /**
   * A chunked body has no length to halve: a small one is halved once its end is in, as one with a
   * Content-Length is (it was passed whole, missing only its last chunk); a long one keeps half of its first 16 KiB.
   */
  @Test
  void partialResponseOfAChunkedBodyHalvesWhatCameWithinItsFirst16KiB() {
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "fault_injection": {"partial_response_probability": 1.0}}""")) {
      Observed small = raw(gw, "/chunked/5000");
      assertThat(small.status()).isEqualTo(200);
      assertThat(small.declaredLength()).as("chunked").isEqualTo(-1);
      assertThat(small.fault()).isEqualTo("partial_response");
      assertThat(small.broken()).isTrue();
      assertThat(small.received()).isEqualTo(2_500);
      Observed large = raw(gw, "/chunked/100000");
      assertThat(large.broken()).isTrue();
      assertThat(large.received()).isEqualTo(8_192);
    }
  }

  /**
   * A body too small to halve, or none at all, still gets the upstream's status and headers before the
   * close: they were reset before the status line went, an empty reply that looks like a connection error.
   */
  @Test
  void partialResponseOfATinyOrAbsentBodyStillSendsTheStatusAndHeaders() {
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "fault_injection": {"partial_response_probability": 1.0}}""")) {
      Observed one = raw(gw, "/bytes/1");
      assertThat(one.status()).isEqualTo(200);
      assertThat(one.declaredLength()).isEqualTo(1);
      assertThat(one.fault()).isEqualTo("partial_response");
      assertThat(one.received()).isZero();
      assertThat(one.broken()).isTrue();
      Observed empty = raw(gw, "/bytes/0");
      assertThat(empty.status()).isEqualTo(200);
      assertThat(empty.fault()).isEqualTo("partial_response");
      Observed noContent = raw(gw, "/status/204");
      assertThat(noContent.status()).isEqualTo(204);
      assertThat(noContent.fault()).isEqualTo("partial_response");
      Observed head = raw(gw, HttpMethod.HEAD, "/bytes/100");
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.fault()).isEqualTo("partial_response");
    }
  }

  /** A rule on a path matches the request however its path is written, as the upstream reads it. */
  @Test
  void aPathRuleMatchesEscapedDottedAndDoubledSlashForms() {
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "rules": [{"name": "foo", "match": {"path": "/foo"},
          "fault_injection": {"http_errors": [418], "http_error_probability": 1.0}}]}""")) {
      for (String path : List.of("/foo", "/%66oo", "//foo", "/x/../foo", "/./foo")) {
        assertThat(raw(gw, path).status()).as(path).isEqualTo(418);
      }
      assertThat(raw(gw, "/foo2").status()).isEqualTo(200);
    }
  }

  /** A rule's path written with escapes (or doubled slashes) matches the request it names: it was compared undecoded, and never did. */
  @Test
  void aPathRuleWrittenWithEscapesMatchesTheRequestItNames() {
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "rules": [{"name": "report", "match": {"path": "/files/my%20report.pdf"},
          "fault_injection": {"http_errors": [418], "http_error_probability": 1.0}},
          {"name": "caf", "match": {"path": "/menu//caf%C3%A9/**"},
          "fault_injection": {"http_errors": [451], "http_error_probability": 1.0}}]}""")) {
      assertThat(raw(gw, "/files/my%20report.pdf").status()).isEqualTo(418);
      assertThat(raw(gw, "/files/my%20report.pdfx").status()).isEqualTo(200);
      assertThat(raw(gw, "/menu/caf%C3%A9/today").status()).isEqualTo(451);
      assertThat(raw(gw, "/menu/cafe/today").status()).isEqualTo(200);
    }
  }

  @Test
  void packetLossLosesTheConnectionMidTransfer() {
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "traffic_shaping": {"packet_loss_percent": 100}}""")) {
      for (int i = 0; i < 3; i++) {
        Observed observed = raw(gw, "/bytes/100000");
        assertThat(observed.broken()).isTrue();
        assertThat(observed.received()).isLessThan(100_000);
      }
    }
  }

  @Test
  void rateLimitAnswers429WithRetryAfterUnderABurst() {
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "rate_limit": {"requests_per_second": 5, "burst_size": 5}}""")) {
      List<Future<HttpResponse<Buffer>>> burst = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        burst.add(gw.client.get("/x").send());
      }
      Future.all(burst).await();
      long ok = burst.stream().filter(f -> f.result().statusCode() == 200).count();
      // 5 tokens up front plus one per 200 ms of refill while the burst is in flight.
      assertThat(ok).isBetween(5L, 8L);
      HttpResponse<Buffer> limited = burst.stream().map(Future::result).filter(r -> r.statusCode() == 429).findFirst().orElseThrow();
      assertThat(Integer.parseInt(limited.getHeader("Retry-After"))).isGreaterThanOrEqualTo(1);
      assertThat(limited.getHeader(HttpDecisions.FAULT_HEADER)).isEqualTo("rate_limit");
    }
  }

  @Test
  void perEndpointRateLimitGivesEachEndpointItsBudget() {
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "rate_limit": {"requests_per_second": 100, "per_endpoint": true, "per_endpoint_requests_per_second": 0.5}}""")) {
      assertThat(gw.get("/a").statusCode()).isEqualTo(200);
      assertThat(gw.get("/a").statusCode()).isEqualTo(429);
      assertThat(gw.get("/b").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void bandwidthLimitPacesTheResponseBody() {
    try (GatewayFixture gw = new GatewayFixture("{\"enabled\": true, \"traffic_shaping\": {\"bandwidth_limit_bps\": 20000}}")) {
      var timed = Timing.time(() -> gw.get("/bytes/40000"));
      assertThat(timed.value().body().getBytes()).isEqualTo(Upstreams.pattern(40_000));
      // 40,000 bytes at 20,000 B/s: about 2 s less one 400-byte chunk sent at once.
      Timing.assertElapsedBetween(timed.elapsedMs(), 1_900, 5_000);
    }
  }

  @Test
  void bandwidthLimitPacesTheRequestBody() {
    try (GatewayFixture gw = new GatewayFixture("{\"enabled\": true, \"traffic_shaping\": {\"bandwidth_limit_bps\": 20000}}")) {
      var timed = Timing.time(() -> gw.client.post("/up").sendBuffer(Buffer.buffer(Upstreams.pattern(30_000))).await());
      assertThat(timed.value().bodyAsJsonObject().getInteger("body_length")).isEqualTo(30_000);
      Timing.assertElapsedBetween(timed.elapsedMs(), 1_400, 5_000);
    }
  }

  @Test
  void circuitBreakerOpensAfterFailuresAndProbesAfterTheReset() throws InterruptedException {
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "circuit_breaker": {"failure_threshold": 3, "reset_timeout_ms": 400}}""")) {
      for (int i = 0; i < 3; i++) {
        assertThat(gw.get("/status/500").statusCode()).isEqualTo(500);
      }
      HttpResponse<Buffer> open = gw.get("/status/200");
      assertThat(open.statusCode()).isEqualTo(503);
      assertThat(open.getHeader(HttpDecisions.FAULT_HEADER)).isEqualTo("circuit_breaker");
      assertThat(gw.upstream.hits().get()).as("an open breaker does not call the upstream").isEqualTo(3);
      CircuitBreaker breaker = gw.state.snapshot().parts(CircuitBreaker.class).get("");
      gw.events.await("the breaker's reset timeout", () -> breaker.state() == CircuitBreaker.State.HALF_OPEN);
      assertThat(gw.get("/status/200").statusCode()).as("half-open probe").isEqualTo(200);
      assertThat(gw.get("/status/200").statusCode()).as("closed again").isEqualTo(200);
    }
  }

  /**
   * A slow probe that succeeds after a fast one failed does not close the breaker the failure opened again:
   * its half-open period is over. It closed it, and the next requests went through at once.
   */
  @Test
  void aLateProbeDoesNotCloseABreakerAnotherProbeOpenedAgain() throws InterruptedException {
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "circuit_breaker": {"failure_threshold": 1, "reset_timeout_ms": 3000, "half_open_max_requests": 2,
         "success_threshold": 1}}""")) {
      assertThat(gw.get("/status/500").statusCode()).isEqualTo(500);
      CircuitBreaker breaker = gw.state.snapshot().parts(CircuitBreaker.class).get("");
      gw.events.await("the breaker's reset timeout", () -> breaker.state() == CircuitBreaker.State.HALF_OPEN);
      Future<HttpResponse<Buffer>> slow = gw.client.get("/slow/800").send();
      assertThat(gw.get("/status/500").statusCode()).as("the fast probe fails").isEqualTo(500);
      assertThat(slow.await().statusCode()).as("the slow probe succeeds").isEqualTo(200);
      HttpResponse<Buffer> after = gw.get("/x");
      assertThat(after.statusCode()).as("open for 3 s after the failed probe").isEqualTo(503);
      assertThat(after.getHeader(HttpDecisions.FAULT_HEADER)).isEqualTo("circuit_breaker");
    }
  }

  @Test
  void bulkheadRefusesBeyondItsPermitsAndQueue() {
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "bulkhead": {"max_concurrent_requests": 1, "max_queue_size": 1, "queue_timeout_ms": 5000}}""")) {
      Future<HttpResponse<Buffer>> first = gw.client.get("/slow/600").send();
      Future<HttpResponse<Buffer>> queued = gw.client.get("/slow/10").send();
      Bulkhead bulkhead = gw.state.snapshot().parts(Bulkhead.class).get("");
      gw.events.await("one request in, one queued", () -> bulkhead.active() == 1 && bulkhead.queued() == 1);
      HttpResponse<Buffer> refused = gw.get("/x");
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.getHeader(HttpDecisions.FAULT_HEADER)).isEqualTo("bulkhead");
      assertThat(first.await().statusCode()).isEqualTo(200);
      assertThat(queued.await().statusCode()).as("the queued request runs once a permit frees").isEqualTo(200);
    }
  }

  @Test
  void maxConnectionsClosesConnectionsBeyondTheLimit() {
    try (GatewayFixture gw = new GatewayFixture("{\"enabled\": true, \"traffic_shaping\": {\"max_connections\": 1}}")) {
      HttpClientAgent holder = gw.vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(gw.port));
      assertThat(holder.request(HttpMethod.GET, "/a").compose(r -> r.send()).await().statusCode()).isEqualTo(200);
      assertThat(raw(gw, "/b").broken()).as("second connection is closed while the first is open").isTrue();
      holder.close().await();
    }
  }

  /**
   * {@code connection_timeout_ms} closes a client's connection that long after it opened, and only while it is in
   * force: switching chaos off meanwhile leaves the connection open, as a plain proxy would (its timer closed it).
   */
  @Test
  void connectionTimeoutClosesConnectionsOnlyWhileInForce() throws Exception {
    String timed = "{\"enabled\": true, \"traffic_shaping\": {\"connection_timeout_ms\": 600}}";
    try (GatewayFixture gw = new GatewayFixture(timed)) {
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gw.port)) {
        socket.setSoTimeout(10_000);
        assertThat(exchange(socket)).startsWith("HTTP/1.1 200");
        long opened = System.nanoTime();
        assertThat(socket.getInputStream().read()).as("closed by the gateway").isEqualTo(-1);
        assertThat((System.nanoTime() - opened) / 1_000_000).as("ms until it closed").isLessThan(5_000);
      }
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gw.port)) {
        socket.setSoTimeout(10_000);
        assertThat(exchange(socket)).startsWith("HTTP/1.1 200");
        gw.setChaos("{\"enabled\": false, \"traffic_shaping\": {\"connection_timeout_ms\": 600}}");
        Thread.sleep(1_200);
        assertThat(exchange(socket)).as("still open with chaos off").startsWith("HTTP/1.1 200");
      }
    }
  }

  /** Sends one keep-alive GET on {@code socket} and reads its whole answer (head and Content-Length body). */
  private static String exchange(java.net.Socket socket) throws java.io.IOException {
    socket.getOutputStream().write("GET /x HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    java.io.InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new java.io.EOFException("closed after " + head);
      }
      head.append((char) b);
    }
    java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
    assertThat(length.find()).as(head.toString()).isTrue();
    in.readNBytes(Integer.parseInt(length.group(1)));
    return head.toString();
  }

  @Test
  void rulesTargetOnlyMatchingTraffic() {
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "rules": [
          {"name": "checkout", "match": {"path": "/checkout/**", "methods": ["POST"]},
           "fault_injection": {"http_errors": [502], "http_error_probability": 1.0}},
          {"name": "canary", "match": {"headers": {"X-Canary": "yes"}},
           "fault_injection": {"http_errors": [418], "http_error_probability": 1.0}}]}""")) {
      assertThat(gw.client.post("/checkout/cart").send().await().statusCode()).isEqualTo(502);
      assertThat(gw.get("/checkout/cart").statusCode()).isEqualTo(200);
      assertThat(gw.client.get("/x").putHeader("X-Canary", "yes").send().await().statusCode()).isEqualTo(418);
      assertThat(gw.get("/x").statusCode()).isEqualTo(200);
    }
  }

  /** A header sent on several lines is matched as the one list it is (RFC 9110 5.3): only its first line was. */
  @Test
  void aRuleMatchesAHeaderSentOnSeveralLinesAsOneList() {
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "rules": [
          {"name": "beta", "match": {"headers": {"X-Tenant": "*beta*"}},
           "fault_injection": {"http_errors": [418], "http_error_probability": 1.0}},
          {"name": "cookie", "match": {"headers": {"Cookie": "a=1; canary=1"}},
           "fault_injection": {"http_errors": [503], "http_error_probability": 1.0}}]}""")) {
      assertThat(gw.client.get("/x").putHeader("X-Tenant", java.util.List.of("alpha", "beta")).send().await().statusCode())
          .isEqualTo(418);
      assertThat(gw.client.get("/x").putHeader("X-Tenant", "alpha, beta").send().await().statusCode()).isEqualTo(418);
      assertThat(gw.client.get("/x").putHeader("X-Tenant", java.util.List.of("alpha", "gamma")).send().await().statusCode())
          .isEqualTo(200);
      assertThat(gw.client.get("/x").putHeader("Cookie", java.util.List.of("a=1", "canary=1")).send().await().statusCode())
          .isEqualTo(503);
    }
  }

  /**
   * An answer without a body (304, 204) goes out without {@code Transfer-Encoding: chunked} under chaos too: a
   * bandwidth limit sent the upstream's 304 as chunked, a framing a 304 has no use for and that confuses caches.
   */
  @Test
  void aBodilessAnswerUnderChaosIsNotSentChunked() {
    try (GatewayFixture gw = new GatewayFixture("{\"enabled\": true, \"traffic_shaping\": {\"bandwidth_limit_bps\": 100000}}")) {
      for (int status : new int[] {304, 204}) {
        String head = rawHead(gw.port, "GET /status/" + status + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(head).startsWith("HTTP/1.1 " + status).doesNotContainIgnoringCase("transfer-encoding");
      }
      assertThat(gw.get("/x").statusCode()).as("the connection is still good").isEqualTo(200);
    }
  }

  /** The head of the answer a raw HTTP/1.1 client gets for {@code request}, as the bytes came (up to its blank line). */
  private static String rawHead(int port, String request) {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      StringBuilder head = new StringBuilder();
      java.io.InputStream in = socket.getInputStream();
      for (int b = in.read(); b >= 0 && head.indexOf("\r\n\r\n") < 0; b = head.indexOf("\r\n\r\n") < 0 ? in.read() : -1) {
        head.append((char) b);
      }
      return head.toString();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A rule's host ignores a trailing dot and matches a port when it names one: with a port it never matched. */
  @Test
  void aRulesHostMatchesATrailingDotAndItsPort() {
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "rules": [
          {"name": "tls", "match": {"host": "shop.example:8443"}, "fault_injection": {"http_errors": [502], "http_error_probability": 1.0}},
          {"name": "any", "match": {"host": "*.Shop.Example"}, "fault_injection": {"http_errors": [418], "http_error_probability": 1.0}}]}""")) {
      for (String host : List.of("shop.example:8443", "SHOP.example.:8443")) {
        assertThat(gw.client.get("/x").putHeader("Host", host).send().await().statusCode()).as(host).isEqualTo(502);
      }
      for (String host : List.of("eu.shop.example", "eu.shop.example.:80")) {
        assertThat(gw.client.get("/x").putHeader("Host", host).send().await().statusCode()).as(host).isEqualTo(418);
      }
      for (String host : List.of("shop.example", "shop.example:8444", "shop.example.evil")) {
        assertThat(gw.client.get("/x").putHeader("Host", host).send().await().statusCode()).as(host).isEqualTo(200);
      }
    }
  }

  @Test
  void aNewConfigAppliesToTheNextRequest() {
    try (GatewayFixture gw = new GatewayFixture(null)) {
      assertThat(gw.get("/x").statusCode()).isEqualTo(200);
      gw.setChaos("{\"enabled\": true, \"fault_injection\": {\"http_errors\": [504], \"http_error_probability\": 1}}");
      assertThat(gw.get("/x").statusCode()).isEqualTo(504);
      gw.setChaos(null);
      assertThat(gw.get("/x").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aClientLeavingTheBulkheadQueueGivesItsPermitBack() {
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "bulkhead": {"max_concurrent_requests": 1, "max_queue_size": 1, "queue_timeout_ms": 5000}}""")) {
      Future<HttpResponse<Buffer>> first = gw.client.get("/slow/500").send();
      HttpClientAgent leaver = gw.vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(gw.port));
      var queued = leaver.request(HttpMethod.GET, "/queued").await();
      queued.end().await();
      Bulkhead bulkhead = gw.state.snapshot().parts(Bulkhead.class).get("");
      gw.events.await("the second request queued", () -> bulkhead.queued() == 1);
      leaver.close().await();
      assertThat(first.await().statusCode()).isEqualTo(200);
      gw.events.await("every permit back", () -> bulkhead.active() == 0 && bulkhead.queued() == 0);
      for (int i = 0; i < 3; i++) {
        assertThat(gw.get("/after").statusCode()).as("the permit came back").isEqualTo(200);
      }
    }
  }

  /**
   * A client that leaves while it waits in the bulkhead's queue gives its place up at once: it kept it until
   * a permit came back or its queue timeout ran out, and a client that came meanwhile was refused 503.
   */
  @Test
  void aClientLeavingTheBulkheadQueueFreesItsPlaceAtOnce() {
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "bulkhead": {"max_concurrent_requests": 1, "max_queue_size": 1, "queue_timeout_ms": 5000}}""")) {
      Future<HttpResponse<Buffer>> first = gw.client.get("/slow/1900").send(); // the route's timeout is 2 s
      Bulkhead bulkhead = gw.state.snapshot().parts(Bulkhead.class).get("");
      gw.events.await("the first holds the permit", () -> bulkhead.active() == 1);
      long started = System.nanoTime();
      HttpClientAgent leaver = gw.vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(gw.port));
      leaver.request(HttpMethod.GET, "/queued").await().end().await();
      gw.events.await("the second request queued", () -> bulkhead.queued() == 1);
      long left = System.nanoTime();
      leaver.close().await();
      gw.events.await("its place is free", () -> bulkhead.queued() == 0);
      // a bound, not a measurement: the first holds its permit for 1.9 s, and the queue timeout is 5 s
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - left)).as("ms until the place was free, %d ms after the first started",
          TimeUnit.NANOSECONDS.toMillis(left - started)).isLessThan(1_200);
      Future<HttpResponse<Buffer>> third = gw.client.get("/third").send();
      assertThat(third.await().statusCode()).as("queued, not refused").isEqualTo(200);
      assertThat(first.await().statusCode()).isEqualTo(200);
    }
  }

  /**
   * A bulkhead changed while requests hold and wait for its permits goes on counting them against its new
   * limits: a new bulkhead let the old one's queue drain beside its own requests, over either cap.
   */
  @Test
  void aBulkheadChangedWhileItsRequestsRunCountsThemAgainstItsNewLimit() throws Exception {
    io.vertx.core.Vertx upstreamVertx = io.vertx.core.Vertx.vertx();
    java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger mostAfterChange = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicBoolean changed = new java.util.concurrent.atomic.AtomicBoolean();
    var upstream = upstreamVertx.createHttpServer().requestHandler(request -> {
      int now = inFlight.incrementAndGet();
      if (changed.get() && request.path().startsWith("/after")) {
        mostAfterChange.accumulateAndGet(now, Math::max);
      }
      upstreamVertx.setTimer(300, t -> {
        inFlight.decrementAndGet();
        request.response().end("ok");
      });
    }).listen(Upstreams.portToListenOn(), "127.0.0.1").await();
    io.faultline.chaos.config.ListenerConfig listener = new io.faultline.chaos.config.ListenerConfig("web", "http", "127.0.0.1", 0,
        "http://127.0.0.1:" + upstream.actualPort(), null, 20_000L, null, 1, null, null);
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "bulkhead": {"max_concurrent_requests": 3, "max_queue_size": 20, "queue_timeout_ms": 20000}}""", listener)) {
      List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
      for (int i = 0; i < 5; i++) { // the client's pool holds 5 connections
        sent.add(gw.client.get("/before" + i).send());
      }
      Bulkhead bulkhead = gw.state.snapshot().parts(Bulkhead.class).get("");
      gw.events.await("three in, two queued", () -> bulkhead.active() == 3 && bulkhead.queued() == 2);
      gw.setChaos("""
          {"enabled": true, "bulkhead": {"max_concurrent_requests": 1, "max_queue_size": 20, "queue_timeout_ms": 20000}}""");
      changed.set(true);
      io.vertx.ext.web.client.WebClient later = io.vertx.ext.web.client.WebClient.create(gw.vertx,
          new io.vertx.ext.web.client.WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(gw.port));
      for (int i = 0; i < 2; i++) {
        sent.add(later.get("/after" + i).send());
      }
      for (Future<HttpResponse<Buffer>> response : sent) {
        assertThat(response.await(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      }
      assertThat(mostAfterChange.get()).as("requests at the upstream when one sent after the change reached it").isEqualTo(1);
      Bulkhead now = gw.state.snapshot().parts(Bulkhead.class).get("");
      assertThat(now.maxConcurrent()).isEqualTo(1);
      assertThat(now.active() + now.queued()).as("every permit back, on the bulkhead the gauges read").isZero();
    } finally {
      upstreamVertx.close().await();
    }
  }

  @Test
  void theKillSwitchReleasesARequestWaitingForABulkheadPermit() throws Exception {
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "bulkhead": {"max_concurrent_requests": 1, "max_queue_size": 1, "queue_timeout_ms": 30000},
         "latency": {"fixed_delay_ms": 30000}}""")) {
      Future<HttpResponse<Buffer>> first = gw.client.get("/first").send();
      Future<HttpResponse<Buffer>> queued = gw.client.get("/queued").send();
      Bulkhead bulkhead = gw.state.snapshot().parts(Bulkhead.class).get("");
      gw.events.await("one request in its delay, one queued", () -> bulkhead.active() == 1 && bulkhead.queued() == 1);
      long off = System.nanoTime();
      gw.setChaos(null);
      assertThat(first.await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      // Before, the queued one got the permit the first gave back, and then waited out its own 30 s delay.
      assertThat(queued.await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      assertThat(System.nanoTime() - off).as("a bound: the holds had 30 s to go").isLessThan(TimeUnit.SECONDS.toNanos(5));
      gw.events.await("every permit back", () -> bulkhead.active() == 0);
    }
  }

  /**
   * A client that leaves mid-answer (HTTP/1.1 closing its connection, HTTP/2 resetting its stream) is no
   * failure of the upstream's: six of them did not open a breaker of threshold 2 (they did: every answer
   * that did not end counted as a failure). An upstream that breaks off mid-answer still is one.
   */
  @Test
  void aClientLeavingMidAnswerIsNoFailureForTheBreaker() throws Exception {
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "circuit_breaker": {"failure_threshold": 2, "reset_timeout_ms": 60000}}""")) {
      for (int i = 0; i < 3; i++) {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gw.port)) {
          socket.getOutputStream().write("GET /drip/50/100 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
          assertThat(socket.getInputStream().read(new byte[256])).as("the answer has started").isPositive();
        }
      }
      // three in a row, none between them that counts as a success: each reset counted as the upstream's failure
      for (int i = 0; i < 3; i++) {
        Promise<Void> left = Promise.promise();
        gw.h2c().request(HttpMethod.GET, "/drip/50/100").compose(req -> req.send().onSuccess(resp ->
            resp.handler(chunk -> req.reset().onComplete(v -> left.tryComplete())))).onFailure(left::tryFail);
        left.future().await(10, TimeUnit.SECONDS);
      }
      gw.events.await("six answers dropped", () -> gw.events.completions().stream().filter(c -> c.outcome().equals("dropped")).count() == 6);
      assertThat(gw.get("/status/200").statusCode()).as("the breaker stayed closed").isEqualTo(200);

      for (int i = 0; i < 2; i++) {
        assertThat(raw(gw, "/cut/1000").broken()).as("the upstream broke off").isTrue();
      }
      gw.events.await("eight answers dropped", () -> gw.events.completions().stream().filter(c -> c.outcome().equals("dropped")).count() == 8);
      Observed open = raw(gw, "/status/200");
      assertThat(open.status()).as("upstream failures count").isEqualTo(503);
      assertThat(open.fault()).isEqualTo("circuit_breaker");
    }
  }

  private static final String HALF_OPENING = "{\"enabled\": true, \"circuit_breaker\": {\"failure_threshold\": 2, \"reset_timeout_ms\": 400}}";

  /** Opens {@link #HALF_OPENING}'s breaker with two upstream 500s and waits until it is half-open: answers it. */
  private static CircuitBreaker halfOpen(GatewayFixture gw) {
    for (int i = 0; i < 2; i++) {
      assertThat(gw.get("/status/500").statusCode()).isEqualTo(500);
    }
    CircuitBreaker breaker = gw.state.snapshot().parts(CircuitBreaker.class).get("");
    gw.events.await("the breaker's reset timeout", () -> breaker.state() == CircuitBreaker.State.HALF_OPEN);
    return breaker;
  }

  /**
   * A client that gives up on a half-open breaker's probe (its own timeout, during an injected delay) does not
   * count either way: the probe's slot is free again and the breaker stays half-open. It counted as a success and
   * closed the breaker, so clients with short timeouts under latency chaos kept a failing upstream's breaker shut.
   */
  @Test
  void aClientGivingUpOnAHalfOpenProbeDoesNotCloseTheBreaker() throws Exception {
    try (GatewayFixture gw = new GatewayFixture(HALF_OPENING)) {
      CircuitBreaker breaker = halfOpen(gw);
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gw.port)) {
        socket.getOutputStream().write("GET /slow/2000 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
        gw.events.await("the probe at the upstream", () -> gw.upstream.hits().get() == 3);
      } // the client gives up before the answer
      gw.events.await("the probe dropped", () -> gw.events.completions().stream().anyMatch(c -> c.outcome().equals("dropped")));
      assertThat(breaker.state()).as("still half-open: the probe's slot is free again").isEqualTo(CircuitBreaker.State.HALF_OPEN);
      assertThat(gw.get("/status/500").statusCode()).as("the next probe goes through, and fails").isEqualTo(500);
      Observed open = raw(gw, "/status/200");
      assertThat(open.status()).as("open again").isEqualTo(503);
      assertThat(open.fault()).isEqualTo("circuit_breaker");
    }
  }

  /**
   * An injected gRPC status that an HTTP listener answers as a 4xx (RESOURCE_EXHAUSTED: 429) is a 4xx the gateway
   * answered itself, as an injected 429 is: no success that closes a half-open breaker.
   */
  @Test
  void anInjectedGrpcStatusAnsweredAsA4xxDoesNotCloseTheBreaker() throws Exception {
    try (GatewayFixture gw = new GatewayFixture(HALF_OPENING)) {
      CircuitBreaker breaker = halfOpen(gw);
      gw.setChaos("""
          {"enabled": true, "circuit_breaker": {"failure_threshold": 2, "reset_timeout_ms": 400},
           "fault_injection": {"grpc_status_codes": ["RESOURCE_EXHAUSTED"], "grpc_status_probability": 1.0}}""");
      CircuitBreaker same = gw.state.snapshot().parts(CircuitBreaker.class).get("");
      assertThat(same).as("the breaker carries over an unchanged section").isSameAs(breaker);
      assertThat(gw.get("/x").statusCode()).as("the probe, answered by the gateway").isEqualTo(429);
      assertThat(breaker.state()).as("still half-open").isEqualTo(CircuitBreaker.State.HALF_OPEN);
    }
  }

  /** An injected gRPC status on an HTTP listener is answered with its HTTP status and {@code grpc_status_message}, as gRPC answers it. */
  @Test
  void anInjectedGrpcStatusIsAnsweredWithItsMessage() {
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "fault_injection": {"grpc_status_codes": ["UNAVAILABLE"], "grpc_status_probability": 1.0,
         "grpc_status_message": "quota exceeded"}}""")) {
      var answer = gw.get("/x");
      assertThat(answer.statusCode()).isEqualTo(503);
      assertThat(answer.getHeader("X-Faultline-Fault")).isEqualTo("grpc_status");
      assertThat(answer.bodyAsJsonObject().getString("error")).as(answer.bodyAsString()).isEqualTo("quota exceeded");
    }
  }

  @Test
  void injectedConnectionFailuresOpenTheBreaker() {
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "circuit_breaker": {"failure_threshold": 2, "reset_timeout_ms": 60000},
         "fault_injection": {"connection_error_probability": 1.0}}""")) {
      for (int i = 0; i < 2; i++) {
        assertThat(raw(gw, "/x").broken()).isTrue();
      }
      Observed open = raw(gw, "/x");
      assertThat(open.status()).as("lost connections count as failures").isEqualTo(503);
      assertThat(open.fault()).isEqualTo("circuit_breaker");
    }
  }

  /**
   * An injected timeout counts as a failure for a circuit breaker, as a real upstream's silence does: closing the held
   * connection ran the answer's end handler first, which read it as the client's leaving, and counted nothing.
   */
  @Test
  void injectedTimeoutsOpenTheBreaker() {
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "circuit_breaker": {"failure_threshold": 2, "reset_timeout_ms": 60000},
         "fault_injection": {"timeout_probability": 1.0, "timeout_ms": 200}}""")) {
      for (int i = 0; i < 2; i++) {
        assertThat(raw(gw, "/x").broken()).isTrue();
      }
      Observed open = raw(gw, "/x");
      assertThat(open.status()).as("timeouts count as failures").isEqualTo(503);
      assertThat(open.fault()).isEqualTo("circuit_breaker");
    }
  }

  /**
   * An HTTP/1.0 client whose answer has no length (the upstream's is chunked) and is cut gets what came and the close: the
   * cut wrote the head alone, which Vert.x refuses for such an answer, and the client waited for good.
   */
  @Test
  void anHttp10ClientsCutAnswerOfNoLengthEndsWithTheClose() throws Exception {
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "fault_injection": {"partial_response_probability": 1.0}}""")) {
      long started = System.nanoTime();
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gw.port)) {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write("GET /chunked/100000 HTTP/1.0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        byte[] answer = socket.getInputStream().readAllBytes(); // to the close; a wait past 10 s throws
        assertThat(answer.length).as("less than the whole answer").isLessThan(100_000);
      }
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(5_000L);
    }
  }

  /**
   * An HTTP/1.0 client's answer of no length goes out as it comes, ended by the close, on the proxy's interceptor chain
   * (here a bulkhead's) as on the plain path. vertx-http-proxy held it whole first: the client saw nothing until the
   * upstream's end (never, for an event stream), and a large download sat in the gateway's heap. A client that asked to
   * keep the connection alive is told it closes, and the head has its fix-ups still (a two-digit day in its {@code Date}).
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({"off,", "bulkhead,", "off,keep-alive", "bulkhead,keep-alive"})
  void anHttp10ClientsAnswerOfNoLengthGoesOutAsItComes(String mode, String connection) throws Exception {
    try (GatewayFixture gw = new GatewayFixture(HttpProxyVerticleTest.chaos(mode))) {
      long started = System.nanoTime();
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gw.port)) {
        socket.setSoTimeout(10_000);
        String asked = connection == null ? "" : "Connection: " + connection + "\r\n";
        socket.getOutputStream().write(("GET /stall/2500 HTTP/1.0\r\n" + asked + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        java.io.InputStream in = socket.getInputStream();
        StringBuilder seen = new StringBuilder();
        while (!seen.toString().contains("first\n")) {
          int b = in.read();
          assertThat(b).as("the answer so far: " + seen).isNotNegative();
          seen.append((char) b);
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).as("the first piece before the upstream's end")
            .isLessThan(2_000L);
        seen.append(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1)); // to the close
        String answer = seen.toString();
        assertThat(answer).startsWith("HTTP/1.0 200").endsWith("\r\n\r\nfirst\nlast\n");
        assertThat(answer.toLowerCase(java.util.Locale.ROOT)).doesNotContain("content-length").doesNotContain("transfer-encoding");
        if (connection != null) {
          assertThat(answer.toLowerCase(java.util.Locale.ROOT)).contains("\r\nconnection: close\r\n").doesNotContain("keep-alive");
        }
        assertThat(answer).containsPattern("\r\n(?i:date): [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} ");
      }
    }
  }

  /** A HEAD the gateway answers itself over HTTP/2 has no body: it sent the JSON as DATA, a protocol error to curl and Go. */
  @Test
  void aHeadAnsweredByChaosOverHttp2HasNoBody() throws Exception {
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "fault_injection": {"http_errors": [503], "http_error_probability": 1.0}}""")) {
      Process curl = new ProcessBuilder("curl", "-s", "-I", "--http2-prior-knowledge", "-o", "/dev/null", "-w", "%{http_code}",
          "http://127.0.0.1:" + gw.port + "/x").redirectErrorStream(true).start();
      assertThat(curl.waitFor(20, TimeUnit.SECONDS)).isTrue();
      String out = new String(curl.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(curl.exitValue()).as("curl's exit (92: an HTTP/2 stream error): " + out).isZero();
      assertThat(out).isEqualTo("503");
    }
  }

  /**
   * The kill switch reaches a cut decided for a request whose answer has not begun (a slow upstream): the answer comes
   * whole, and no cut is counted. It was cut, and counted, with chaos off.
   */
  @Test
  void theKillSwitchReachesACutDecidedBeforeTheAnswerBegan() throws Exception {
    try (GatewayFixture gw = new GatewayFixture("""
        {"enabled": true, "fault_injection": {"partial_response_probability": 1.0}}""")) {
      java.util.concurrent.CompletableFuture<Observed> answer = java.util.concurrent.CompletableFuture.supplyAsync(() -> raw(gw, "/slow/1500"));
      Thread.sleep(500);
      gw.state.set(io.faultline.chaos.config.ChaosConfig.off());
      Observed observed = answer.get(20, TimeUnit.SECONDS);
      assertThat(observed.broken()).isFalse();
      assertThat(observed.status()).isEqualTo(200);
      assertThat(observed.received()).isEqualTo(4); // "slow"
      assertThat(observed.fault()).isNull();
      assertThat(gw.events.faults()).doesNotContain("partial_response");
    }
  }
}
