package io.faultline.protocol.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.testing.Timing;
import io.faultline.chaos.testing.Upstreams;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.grpc.common.GrpcStatus;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every call kind relayed unchanged, and each chaos decision seen by a real gRPC client as gRPC. */
class GrpcProxyVerticleTest {

  static final String ZERO = """
      {"enabled": true, "latency": {"fixed_delay_ms": 1000, "probability": 0},
       "fault_injection": {"http_errors": [503], "http_error_probability": 0, "connection_error_probability": 0}}""";

  /** Chaos that touches every call (a 1 ms delay): calls take the decoded path, message by message. */
  static final String TOUCHED = "{\"enabled\": true, \"latency\": {\"fixed_delay_ms\": 1}}";

  static String chaos(String mode) {
    return switch (mode) {
      case "off" -> null;
      case "touched" -> TOUCHED;
      default -> ZERO;
    };
  }

  @ParameterizedTest
  @ValueSource(strings = {"off", "zero"})
  void unaryRelaysMessageMetadataAndTrailers(String mode) {
    try (GrpcFixture gw = new GrpcFixture(chaos(mode))) {
      GrpcFixture.Result result = gw.call("Unary", List.of("hello"), 20_000, Map.of("x-req", "rq"), null);
      assertThat(result.status()).isEqualTo(GrpcStatus.OK);
      assertThat(result.messages()).containsExactly("echo:hello");
      assertThat(result.headers().get("x-resp-h")).isEqualTo("hv:rq");
      assertThat(result.trailers().get("x-resp-t")).isEqualTo("tv");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"off", "zero"})
  void streamingCallsOfEveryKindPassThrough(String mode) {
    try (GrpcFixture gw = new GrpcFixture(chaos(mode))) {
      assertThat(gw.call("Bidi", List.of("a", "b", "c")).messages()).containsExactly("a", "b", "c");
      assertThat(gw.call("Count", List.of("1", "2", "3", "4")).messages()).containsExactly("count:4");
      GrpcFixture.Result repeat = gw.call("Repeat", List.of("5"));
      assertThat(repeat.messages()).containsExactly("m0", "m1", "m2", "m3", "m4");
      assertThat(repeat.trailers().get("x-sent")).isEqualTo("5");
    }
  }

  @Test
  void upstreamStatusMessageAndTrailersAreRelayed() {
    try (GrpcFixture gw = new GrpcFixture(null)) {
      GrpcFixture.Result result = gw.call("Fail", List.of("x"));
      assertThat(result.status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
      assertThat(result.message()).isEqualTo("bad argument é");
      // A status sent before any message is trailers-only: its trailers travel in the one HEADERS frame.
      String why = result.trailers().get("x-why") != null ? result.trailers().get("x-why") : result.headers().get("x-why");
      assertThat(why).isEqualTo("asked");
    }
  }

  @Test
  void gzipFramesPassThroughAndDeadlinesPropagate() {
    try (GrpcFixture gw = new GrpcFixture(null)) {
      assertThat(gw.call("Unary", List.of("zipped"), 20_000, Map.of(), "gzip").messages()).containsExactly("echo:zipped");
      long seenByUpstream = Long.parseLong(gw.call("Deadline", List.of("x"), 5_000, Map.of(), null).messages().get(0));
      assertThat(seenByUpstream).isBetween(1L, 5_000L);
    }
  }

  /** Injected latency uses part of the client's deadline: the upstream is given what is left, not the whole. */
  @Test
  void anInjectedDelayIsTakenFromTheDeadlineTheUpstreamIsGiven() {
    try (GrpcFixture gw = new GrpcFixture("{\"enabled\": true, \"latency\": {\"fixed_delay_ms\": 1000}}")) {
      long seenByUpstream = Long.parseLong(gw.call("Deadline", List.of("x"), 3_000, Map.of(), null).messages().get(0));
      assertThat(seenByUpstream).isBetween(1_000L, 2_000L);
    }
  }

  /**
   * An upstream that accepts the connection and never speaks HTTP/2 (no settings: no stream can open) fails a call
   * without a deadline after the route's timeout_ms, on both paths; it was held for ever.
   */
  @ParameterizedTest
  @ValueSource(strings = {"untouched", "touched"})
  void aCallWhoseUpstreamOpensNoStreamEndsAtTheRoutesTimeout(String mode) {
    io.vertx.core.Vertx side = io.vertx.core.Vertx.vertx();
    try {
      int silent = side.createNetServer().connectHandler(socket -> { }).listen(Upstreams.portToListenOn(), "127.0.0.1").await().actualPort();
      String chaos = mode.equals("touched") ? "{\"enabled\": true, \"latency\": {\"fixed_delay_ms\": 1}}" : null;
      try (GrpcFixture gw = GrpcFixture.towards(chaos, "127.0.0.1:" + silent, 500L)) {
        long started = System.nanoTime();
        GrpcFixture.Result result = gw.call("Unary", List.of("x"), 0, Map.of(), null);
        long tookMs = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertThat(result.status()).isEqualTo(GrpcStatus.DEADLINE_EXCEEDED);
        assertThat(result.message()).contains("timeout_ms, 500 ms");
        assertThat(tookMs).isBetween(400L, 5_000L);
      }
    } finally {
      side.close().await();
    }
  }

  /** An upstream's status with a 20,000-character message reaches the client whole, on both paths (past 8 KiB it was a reset). */
  @ParameterizedTest
  @ValueSource(strings = {"untouched", "touched"})
  void aLongStatusMessageFromTheUpstreamReachesTheClient(String mode) {
    String chaos = mode.equals("touched") ? "{\"enabled\": true, \"latency\": {\"fixed_delay_ms\": 1}}" : null;
    try (GrpcFixture gw = new GrpcFixture(chaos)) {
      GrpcFixture.Result result = gw.call("LongStatus", List.of("20000"));
      assertThat(result.status()).as(result.message()).isEqualTo(GrpcStatus.FAILED_PRECONDITION);
      assertThat(result.message()).isEqualTo("m".repeat(20_000));
    }
  }

  @Test
  void unreachableUpstreamIsUnavailableNamingIt() {
    int closed = Upstreams.closedPort();
    try (GrpcFixture gw = new GrpcFixture(null, "127.0.0.1:" + closed)) {
      GrpcFixture.Result result = gw.call("Unary", List.of("x"));
      assertThat(result.status()).isEqualTo(GrpcStatus.UNAVAILABLE);
      assertThat(result.message()).contains("127.0.0.1:" + closed);
    }
  }

  @Test
  void injectedHttpErrorsBecomeGrpcStatuses() {
    try (GrpcFixture gw = new GrpcFixture("""
        {"enabled": true, "fault_injection": {"http_errors": [503], "http_error_probability": 1.0}}""")) {
      GrpcFixture.Result result = gw.call("Unary", List.of("x"));
      assertThat(result.status()).isEqualTo(GrpcStatus.UNAVAILABLE);
      assertThat(result.headers().get(GrpcDecisions.FAULT_HEADER)).isEqualTo("http_error");
      assertThat(gw.upstreamCalls.get()).isZero();
      gw.state.set(io.faultline.chaos.config.ChaosJson.parse("""
          {"enabled": true, "fault_injection": {"http_errors": [504], "http_error_probability": 1.0}}""",
          io.faultline.chaos.config.ChaosConfig.class, ""));
      assertThat(gw.call("Unary", List.of("x")).status()).isEqualTo(GrpcStatus.DEADLINE_EXCEEDED);
    }
  }

  @Test
  void rateLimitAnswersResourceExhausted() {
    try (GrpcFixture gw = new GrpcFixture("""
        {"enabled": true, "rate_limit": {"requests_per_second": 0.5, "burst_size": 2}}""")) {
      assertThat(gw.call("Unary", List.of("1")).status()).isEqualTo(GrpcStatus.OK);
      assertThat(gw.call("Unary", List.of("2")).status()).isEqualTo(GrpcStatus.OK);
      GrpcFixture.Result limited = gw.call("Unary", List.of("3"));
      assertThat(limited.status()).isEqualTo(GrpcStatus.RESOURCE_EXHAUSTED);
      assertThat(limited.message()).contains("rate limit");
      // when the bucket has a token again (one each 2 s), as gRPC's retry pushback in milliseconds
      String pushback = limited.trailers().get("grpc-retry-pushback-ms");
      assertThat(Long.parseLong(pushback != null ? pushback : limited.headers().get("grpc-retry-pushback-ms"))).as("trailers-only: one block").isBetween(1_000L, 2_000L);
    }
  }

  /**
   * A client that offers no gzip gets no gzip. Vert.x's gRPC client, which makes the upstream call on the paths chaos
   * touches (at probability 0 too), offers gzip whatever the client said: an upstream that compresses when offered
   * did, and its compressed answer reached a client that cannot read one (a grpc-go client without the gzip package
   * fails the call: "Decompressor is not installed"). Such an answer is decompressed for the client.
   */
  @ParameterizedTest
  @ValueSource(strings = {"off", "zero", "touched"})
  void aClientThatOffersNoGzipGetsNoGzip(String mode) throws Exception {
    try (GrpcFixture gw = new GrpcFixture(chaos(mode))) {
      io.vertx.core.http.HttpClient h2 = gw.vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions()
          .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
      var request = h2.request(io.vertx.core.http.HttpMethod.POST, gw.port, "127.0.0.1", "/test.Echo/Gzipped")
          .await(10, java.util.concurrent.TimeUnit.SECONDS);
      request.putHeader("content-type", "application/grpc").putHeader("te", "trailers")
          .putHeader("grpc-accept-encoding", "identity");
      io.vertx.core.buffer.Buffer message = io.vertx.core.buffer.Buffer.buffer("x");
      io.vertx.core.http.HttpClientResponse[] answered = new io.vertx.core.http.HttpClientResponse[1];
      io.vertx.core.buffer.Buffer body = request.send(io.vertx.core.buffer.Buffer.buffer().appendByte((byte) 0)
          .appendInt(message.length()).appendBuffer(message))
          .compose(r -> { // the body asked for at once, on the event loop, before any of it is read
            answered[0] = r;
            return r.body();
          }).await(10, java.util.concurrent.TimeUnit.SECONDS);
      io.vertx.core.http.HttpClientResponse response = answered[0];
      assertThat(response.getTrailer("grpc-status")).as(mode).isEqualTo("0");
      assertThat(response.getHeader("grpc-encoding")).as(mode).isIn(null, "identity");
      assertThat(body.getByte(0)).as(mode + ": the compressed flag").isEqualTo((byte) 0);
      assertThat(body.getBuffer(5, body.length()).toString()).as(mode).isEqualTo("zipped");
      h2.close().await(10, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  /**
   * A route's {@code host} takes the calls whose {@code :authority} it names, as on the other listeners: a grpc listener
   * read routes by path alone, so a route for another host took every call.
   */
  @ParameterizedTest
  @ValueSource(strings = {"off", "touched"})
  void aRoutesHostTakesOnlyTheCallsNamingIt(String mode) throws Exception {
    try (GrpcFixture gw = new GrpcFixture(chaos(mode))) {
      int closed = Upstreams.closedPort();
      io.faultline.chaos.config.ListenerConfig listener = new io.faultline.chaos.config.ListenerConfig("hosts", "grpc", "127.0.0.1", 0,
          null, List.of(
              new io.faultline.chaos.config.RouteConfig("other", null, null, "b.svc", "127.0.0.1:" + closed, null),
              new io.faultline.chaos.config.RouteConfig("echo", "/test.Echo/*", null, null, "127.0.0.1:" + gw.upstreamPort, null)),
          null, null, 1, null, false, null, null, null, null);
      GrpcProxyVerticle proxy = new GrpcProxyVerticle(listener, gw.state, 0, gw.events);
      gw.vertx.deployVerticle(proxy).await();
      io.vertx.core.http.HttpClient h2 = gw.vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions()
          .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
      assertThat(statusOf(h2, proxy.actualPort(), "a.svc")).as("another host: the echo route").isEqualTo("0");
      assertThat(statusOf(h2, proxy.actualPort(), "B.svc")).as("the route's host, in any case: its upstream, closed").isEqualTo("14");
      h2.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** The grpc-status of a unary call to {@code port} naming {@code authority}. */
  private static String statusOf(io.vertx.core.http.HttpClient h2, int port, String authority) throws Exception {
    var request = h2.request(new io.vertx.core.http.RequestOptions().setMethod(io.vertx.core.http.HttpMethod.POST)
        .setServer(io.vertx.core.net.SocketAddress.inetSocketAddress(port, "127.0.0.1"))
        .setHost(authority).setPort(80).setURI("/test.Echo/Unary")).await(10, TimeUnit.SECONDS);
    request.putHeader("content-type", "application/grpc").putHeader("te", "trailers");
    io.vertx.core.http.HttpClientResponse response = request.send(io.vertx.core.buffer.Buffer.buffer().appendByte((byte) 0)
        .appendInt(1).appendString("x")).compose(r -> r.body().map(b -> r)).await(10, TimeUnit.SECONDS);
    String status = response.getTrailer("grpc-status");
    return status != null ? status : response.getHeader("grpc-status");
  }

  @Test
  void latencyDelaysTheCall() {
    try (GrpcFixture gw = new GrpcFixture("{\"enabled\": true, \"latency\": {\"fixed_delay_ms\": 300}}")) {
      gw.call("Unary", List.of("warm"));
      var timed = Timing.time(() -> gw.call("Unary", List.of("x")));
      assertThat(timed.value().status()).isEqualTo(GrpcStatus.OK);
      Timing.assertElapsedBetween(timed.elapsedMs(), 295, 1_500);
    }
  }

  @Test
  void timeoutHoldsTheCallUntilTheClientsDeadline() {
    try (GrpcFixture gw = new GrpcFixture("""
        {"enabled": true, "fault_injection": {"timeout_probability": 1.0, "timeout_ms": 30000}}""")) {
      var timed = Timing.time(() -> gw.call("Unary", List.of("x"), 500, Map.of(), null));
      assertThat(timed.value().status()).isEqualTo(GrpcStatus.DEADLINE_EXCEEDED);
      // said to be injected: the gRPC server's own deadline timer answered first, with a bare status
      assertThat(timed.value().headers().get(GrpcDecisions.FAULT_HEADER)).isEqualTo("timeout");
      assertThat(timed.value().message()).isEqualTo("injected timeout: held 500 ms (injected by Faultline)");
      // once, as gRPC encodes it (printable ASCII as it is): a URL encoding's %3A is what grpc-js users read
      assertThat(timed.value().headers().getAll("grpc-message")).as("trailers-only")
          .containsExactly("injected timeout: held 500 ms (injected by Faultline)");
      // held until the client's 500 ms deadline, not the 30 s timeout_ms
      Timing.assertElapsedBetween(timed.elapsedMs(), 450, 3_000);
      assertThat(gw.upstreamCalls.get()).isZero();
    }
  }

  @Test
  void connectionErrorIsUnavailableForThatCallOnce() {
    try (GrpcFixture gw = new GrpcFixture("""
        {"enabled": true, "fault_injection": {"connection_error_probability": 1.0}}""")) {
      GrpcFixture.Result result = gw.call("Unary", List.of("x"));
      assertThat(result.status()).isEqualTo(GrpcStatus.UNAVAILABLE);
      assertThat(result.message()).contains("connection error");
      assertThat(gw.upstreamCalls.get()).isZero();
      gw.events.await("the count", () -> gw.events.completions().size() == 1);
      assertThat(gw.events.faults()).containsExactly("connection_error");
    }
  }

  /** A quiet call (its answer a second after its head) outlives an idle timeout of 300 ms: the connection carries a call in progress. */
  @ParameterizedTest
  @ValueSource(strings = {"off", "touched"})
  void aQuietCallKeepsItsConnectionPastTheIdleTimeout(String mode) {
    try (GrpcFixture gw = new GrpcFixture(chaos(mode), null, 300L)) {
      // the connection was closed under the call after 300 ms of silence, and with it every call on it
      GrpcFixture.Result late = gw.call("Late", List.of("x"));
      assertThat(late.status()).as(String.valueOf(late.error())).isEqualTo(GrpcStatus.OK);
      assertThat(late.messages()).containsExactly("late");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"off", "touched"})
  void anUpstreamThatResetsTheCallBeforeAnsweringIsUnavailableAtOnce(String mode) {
    try (GrpcFixture gw = new GrpcFixture(chaos(mode))) {
      // the pass-through path waited for the call's 20 s deadline
      var timed = Timing.time(() -> gw.call("ResetNow", List.of("x")));
      assertThat(timed.value().status()).as(timed.value().message()).isEqualTo(GrpcStatus.UNAVAILABLE);
      assertThat(timed.value().message()).startsWith("upstream").contains("127.0.0.1:" + gw.upstreamPort);
      Timing.assertElapsedBetween(timed.elapsedMs(), 0, 5_000);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"off", "touched"})
  void anUpstreamThatDoesNotBeginItsAnswerWithinTheRouteTimeoutIsDeadlineExceeded(String mode) {
    try (GrpcFixture gw = new GrpcFixture(chaos(mode), 500L, null)) {
      // a call with no deadline of its own waited for ever: the listener's timeout_ms was not read on gRPC
      var timed = Timing.time(() -> gw.call("Hang", List.of("x"), 0, Map.of(), null));
      assertThat(timed.value().status()).as(timed.value().message()).isEqualTo(GrpcStatus.DEADLINE_EXCEEDED);
      assertThat(timed.value().message()).startsWith("upstream timed out: 127.0.0.1:" + gw.upstreamPort)
          .contains("timeout_ms, 500 ms");
      Timing.assertElapsedBetween(timed.elapsedMs(), 450, 4_000);
      // an answer that has begun is the call's deadline's to bound, not the route's: a stream may be quiet
      assertThat(gw.call("Late", List.of("x"), 0, Map.of(), null).messages()).containsExactly("late");
      // and a call with a deadline of its own is bounded by that, as Envoy honours grpc-timeout
      var own = Timing.time(() -> gw.call("Hang", List.of("x"), 1_500, Map.of(), null));
      assertThat(own.value().status()).isEqualTo(GrpcStatus.DEADLINE_EXCEEDED);
      Timing.assertElapsedBetween(own.elapsedMs(), 1_400, 5_000);
    }
  }

  /**
   * A call the gateway cuts (here every call, by packet loss) leaves nothing behind for its deadline: the gRPC
   * server's deadline timer went on after the cut, kept the call until then, and then failed trying to answer
   * the stream reset long before (a NullPointerException logged as SEVERE, one per call).
   */
  @Test
  void aCallCutByChaosLeavesNoDeadlineBehind() throws Exception {
    java.util.List<java.util.logging.LogRecord> severe = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.logging.Handler capture = new java.util.logging.Handler() {
      @Override
      public void publish(java.util.logging.LogRecord record) {
        if (record.getLevel() == java.util.logging.Level.SEVERE) {
          severe.add(record);
        }
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    java.util.logging.Logger vertxLog = java.util.logging.Logger.getLogger("io.vertx");
    vertxLog.addHandler(capture);
    try (GrpcFixture gw = new GrpcFixture("""
        {"enabled": true, "traffic_shaping": {"packet_loss_percent": 100}}""")) {
      for (int i = 0; i < 3; i++) {
        GrpcFixture.Result cut = gw.call("Unary", List.of("x"), 1_000, Map.of(), null);
        assertThat(cut.status()).as(cut.message()).isEqualTo(GrpcStatus.UNAVAILABLE);
      }
      Thread.sleep(1_600); // past the calls' deadlines
      assertThat(severe).as("logged after the calls had ended").extracting(r -> r.getMessage() + " " + r.getThrown()).isEmpty();
      assertThat(gw.call("Unary", List.of("x"), 1_000, Map.of(), null).status()).as("the listener goes on").isEqualTo(GrpcStatus.UNAVAILABLE);
    } finally {
      vertxLog.removeHandler(capture);
    }
  }

  @Test
  void partialResponseDropsTheStreamAfterTheFirstMessage() {
    try (GrpcFixture gw = new GrpcFixture("""
        {"enabled": true, "fault_injection": {"partial_response_probability": 1.0}}""")) {
      GrpcFixture.Result result = gw.call("Repeat", List.of("5"));
      assertThat(result.messages()).hasSizeLessThan(5);
      assertThat(result.status()).isEqualTo(GrpcStatus.UNAVAILABLE);
      assertThat(result.message()).isEqualTo("stream cut (partial_response, injected by Faultline)");
    }
  }

  /**
   * A cut comes after the message it follows, even when a per-message delay holds that message: the stream was
   * reset at once, and the message the delay held never came.
   */
  @Test
  void partialResponseDropsTheStreamAfterTheFirstMessageHeldOrNot() {
    try (GrpcFixture gw = new GrpcFixture("""
        {"enabled": true, "latency": {"per_message_delay_ms": 300}, "fault_injection": {"partial_response_probability": 1.0}}""")) {
      var timed = Timing.time(() -> gw.call("Repeat", List.of("5")));
      assertThat(timed.value().messages()).containsExactly("m0");
      assertThat(timed.value().status()).isEqualTo(GrpcStatus.UNAVAILABLE);
      Timing.assertElapsedBetween(timed.elapsedMs(), 290, 3_000);
    }
  }

  @Test
  void rulesTargetMethodsByGlobAndMetadata() {
    try (GrpcFixture gw = new GrpcFixture("""
        {"enabled": true, "rules": [
          {"name": "count-down", "match": {"path": "/test.Echo/Count"},
           "fault_injection": {"http_errors": [500], "http_error_probability": 1.0}},
          {"name": "canary", "match": {"headers": {"x-canary": "yes"}},
           "fault_injection": {"http_errors": [403], "http_error_probability": 1.0}}]}""")) {
      assertThat(gw.call("Count", List.of("1")).status()).isEqualTo(GrpcStatus.INTERNAL);
      assertThat(gw.call("Unary", List.of("x")).status()).isEqualTo(GrpcStatus.OK);
      assertThat(gw.call("Unary", List.of("x"), 20_000, Map.of("x-canary", "yes"), null).status()).isEqualTo(GrpcStatus.PERMISSION_DENIED);
    }
  }

  @Test
  void chosenGrpcStatusesAndMessageAreReturned() {
    try (GrpcFixture gw = new GrpcFixture("""
        {"enabled": true, "fault_injection": {"grpc_status_codes": ["unauthenticated"], "grpc_status_probability": 1.0,
                                              "grpc_status_message": "token expired"}}""")) {
      GrpcFixture.Result result = gw.call("Unary", List.of("x"));
      assertThat(result.status()).isEqualTo(GrpcStatus.UNAUTHENTICATED);
      assertThat(result.message()).isEqualTo("token expired");
      assertThat(result.headers().get(GrpcDecisions.FAULT_HEADER)).isEqualTo("grpc_status");
    }
  }

  @Test
  void abortAfterMessagesEndsTheStreamWithTheChosenStatus() {
    try (GrpcFixture gw = new GrpcFixture("""
        {"enabled": true, "fault_injection": {"abort_after_messages": 2, "abort_status": "ABORTED"}}""")) {
      GrpcFixture.Result result = gw.call("Repeat", List.of("5"));
      assertThat(result.messages()).containsExactly("m0", "m1");
      assertThat(result.status()).isEqualTo(GrpcStatus.ABORTED);
      assertThat(result.message()).contains("aborted after 2 messages");
    }
  }

  /**
   * The kill switch reaches a stream already going: its abort and its cut no longer come, and its messages go on. Both
   * came at their message whatever the switch said (with {@code abort_stream} counted while chaos was off).
   */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"abort_after_messages\": 3, \"abort_status\": \"ABORTED\"} | 700",
      "{\"partial_response_probability\": 1.0} | 100"})
  void theKillSwitchReachesAnAbortOrACutOnAStreamAlreadyGoing(String faults, long switchOffAfterMs) throws Exception {
    try (GrpcFixture gw = new GrpcFixture("""
        {"enabled": true, "latency": {"per_message_delay_ms": 300}, "fault_injection": %s}""".formatted(faults))) {
      java.util.concurrent.CompletableFuture<GrpcFixture.Result> call =
          java.util.concurrent.CompletableFuture.supplyAsync(() -> gw.call("Repeat", List.of("6")));
      Thread.sleep(switchOffAfterMs); // the abort: 2 of its 3 messages held and gone; the cut: its one message held
      gw.state.set(io.faultline.chaos.config.ChaosConfig.off());
      GrpcFixture.Result result = call.get(10, TimeUnit.SECONDS);
      assertThat(result.status()).as(result.message()).isEqualTo(GrpcStatus.OK);
      assertThat(result.messages()).containsExactly("m0", "m1", "m2", "m3", "m4", "m5");
      assertThat(gw.events.faults()).doesNotContain("abort_stream");
    }
  }

  /**
   * A cut decided for a call does not come when the kill switch came before the call's answer began (a slow upstream): it
   * was applied at the answer's head whatever the switch said, and counted with chaos off.
   */
  @Test
  void theKillSwitchReachesACutDecidedBeforeTheAnswerBegan() throws Exception {
    try (GrpcFixture gw = new GrpcFixture("""
        {"enabled": true, "fault_injection": {"stream_drop_probability": 1.0}}""")) {
      gw.gateSize = 2; // the upstream holds the first call until a second comes
      java.util.concurrent.CompletableFuture<GrpcFixture.Result> call =
          java.util.concurrent.CompletableFuture.supplyAsync(() -> gw.call("Gate", List.of("x")));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (gw.upstreamCalls.get() < 1) {
        assertThat(System.nanoTime()).isLessThan(deadline);
        Thread.sleep(10);
      }
      gw.state.set(io.faultline.chaos.config.ChaosConfig.off());
      assertThat(gw.call("Gate", List.of("y")).status()).isEqualTo(GrpcStatus.OK); // lets both through
      GrpcFixture.Result result = call.get(10, TimeUnit.SECONDS);
      assertThat(result.status()).as(result.message()).isEqualTo(GrpcStatus.OK);
      assertThat(result.messages()).containsExactly("through");
      assertThat(gw.events.faults()).doesNotContain("stream_drop");
    }
  }

  @Test
  void abortAfterMessagesEndsAStreamStillGoingWithTheChosenStatus() {
    try (GrpcFixture gw = new GrpcFixture("""
        {"enabled": true, "fault_injection": {"abort_after_messages": 2, "abort_status": "DATA_LOSS"}}""")) {
      // the upstream is still sending when the stream is cut: cancelling it first used to reset the client's
      // stream too, which saw CANCELLED and no status
      GrpcFixture.Result result = gw.call("Drip", List.of("10"));
      assertThat(result.messages()).containsExactly("m0", "m1");
      assertThat(result.error()).isNull();
      assertThat(result.status()).isEqualTo(GrpcStatus.DATA_LOSS);
      assertThat(result.message()).contains("aborted after 2 messages");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "{\"enabled\": true, \"latency\": {\"fixed_delay_ms\": 1}}"}) // passed through, and relayed message by message
  void aStatusMessageIsRelayedAsTheUpstreamEncodedIt(String chaos) {
    try (GrpcFixture gw = new GrpcFixture(chaos.isEmpty() ? null : chaos)) {
      GrpcFixture.Result result = gw.call("Refuse", List.of("custom détail: a/b (c) 100% ok"));
      assertThat(result.status()).isEqualTo(GrpcStatus.FAILED_PRECONDITION);
      assertThat(result.message()).isEqualTo("custom détail: a/b (c) 100% ok");
      // gRPC's encoding (only non-printable bytes and %): Vert.x's own also encoded ': / ( )', which grpc-js
      // (decodeURI) showed as %3A and %2F
      String raw = result.trailers().get("grpc-message") != null ? result.trailers().get("grpc-message") : result.headers().get("grpc-message");
      assertThat(raw).isEqualTo("custom d%C3%A9tail: a/b (c) 100%25 ok");
    }
  }

  @Test
  void anInjectedStatusMessageKeepsItsPunctuation() {
    try (GrpcFixture gw = new GrpcFixture("""
        {"enabled": true, "fault_injection": {"http_errors": [504], "http_error_probability": 1.0}}""")) {
      GrpcFixture.Result result = gw.call("Unary", List.of("x"));
      String raw = result.trailers().get("grpc-message") != null ? result.trailers().get("grpc-message") : result.headers().get("grpc-message");
      assertThat(raw).contains("injected fault: ").doesNotContain("%3A");
    }
  }

  @Test
  void theUpstreamsHeadReachesTheClientBeforeItsFirstMessage() {
    try (GrpcFixture gw = new GrpcFixture(null)) {
      long started = System.nanoTime();
      var head = gw.client.request(io.vertx.core.net.SocketAddress.inetSocketAddress(gw.port, "127.0.0.1"))
          .compose(req -> req.fullMethodName("test.Echo/Late").send(io.vertx.core.buffer.Buffer.buffer("x")))
          .await();
      long headMs = (System.nanoTime() - started) / 1_000_000;
      assertThat(head.headers().get("x-early")).isEqualTo("yes");
      // the upstream answers a second after its head: the head was held back until then
      assertThat(headMs).as("head after %d ms", headMs).isLessThan(800);
      assertThat(head.last().await().toString()).isEqualTo("late");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"off", "zero"})
  void moreThanAHundredCallsRunAtOnceOnOneConnection(String mode) {
    try (GrpcFixture gw = new GrpcFixture(chaos(mode))) {
      gw.gateSize = 150; // the upstream answers only once all 150 are in: with 100 streams at most, none would be
      assertThat(gatedCalls(gw, 150)).allSatisfy(answer -> assertThat(answer).isEqualTo("through"));
    }
  }

  /**
   * The upstream takes 100 streams a connection (Vert.x's default): every client's calls shared the gateway's
   * connection to it, so the 101st queued, and a gate that needs all 150 never opened. Calls chaos touches (a
   * delay of 1 ms) go through clients of their own, which kept one connection after the pass-through's got more.
   */
  @ParameterizedTest
  @ValueSource(strings = {"", "{\"enabled\": true, \"latency\": {\"fixed_delay_ms\": 1}}"})
  void anUpstreamThatLimitsItsStreamsGetsAnotherConnectionForCallsPastIt(String chaos) {
    try (GrpcFixture gw = new GrpcFixture(chaos.isEmpty() ? null : chaos, null, false, 100)) {
      gw.gateSize = 150;
      assertThat(gatedCalls(gw, 150)).allSatisfy(answer -> assertThat(answer).isEqualTo("through"));
    }
  }

  /** {@code n} Gate calls at once on the client's one connection; answers what each got. */
  private static List<String> gatedCalls(GrpcFixture gw, int n) {
    List<io.vertx.core.Future<String>> calls = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      calls.add(gw.client.request(io.vertx.core.net.SocketAddress.inetSocketAddress(gw.port, "127.0.0.1"))
          .compose(req -> req.fullMethodName("test.Echo/Gate").timeout(15, java.util.concurrent.TimeUnit.SECONDS)
              .send(io.vertx.core.buffer.Buffer.buffer("x")))
          .compose(response -> response.last()).map(Object::toString));
    }
    io.vertx.core.Future.all(calls).await();
    return calls.stream().map(io.vertx.core.Future::result).toList();
  }

  @Test
  void theKillSwitchEndsPerMessageDelayOnAnOpenStream() {
    try (GrpcFixture gw = new GrpcFixture("{\"enabled\": true, \"latency\": {\"per_message_delay_ms\": 400}}")) {
      gw.vertx.setTimer(1_000, id -> gw.state.enable(false));
      var timed = Timing.time(() -> gw.call("Drip", List.of("10")));
      assertThat(timed.value().messages()).hasSize(10);
      // 10 messages held 400 ms each take 4 s; chaos off after 1 s, the rest come at the upstream's pace
      Timing.assertElapsedBetween(timed.elapsedMs(), 900, 2_900);
    }
  }

  /**
   * The kill switch lets a message the bandwidth limit holds go at once, each way: one timer of the whole paced
   * time held a 5,000-byte message at 1,000 bytes/s for 5 s after it, and its answer 5 s more.
   */
  @Test
  void theKillSwitchLetsAMessageTheBandwidthLimitHoldsGoAtOnce() {
    try (GrpcFixture gw = new GrpcFixture("{\"enabled\": true, \"traffic_shaping\": {\"bandwidth_limit_bps\": 1000}}")) {
      String body = "x".repeat(5_000);
      gw.vertx.setTimer(500, id -> gw.state.enable(false));
      var timed = Timing.time(() -> gw.call("Unary", List.of(body)));
      assertThat(timed.value().messages()).containsExactly("echo:" + body);
      Timing.assertElapsedBetween(timed.elapsedMs(), 450, 2_500);
    }
  }

  @Test
  void aBandwidthLimitSlowsASingleLargeMessage() {
    try (GrpcFixture gw = new GrpcFixture("{\"enabled\": true, \"traffic_shaping\": {\"bandwidth_limit_bps\": 20000}}")) {
      String body = "x".repeat(10_000);
      var timed = Timing.time(() -> gw.call("Unary", List.of(body)));
      assertThat(timed.value().messages()).containsExactly("echo:" + body);
      // 10 kB up and 10 kB back at 20 kB/s: half a second each way; one message each, which went at once before
      Timing.assertElapsedBetween(timed.elapsedMs(), 950, 4_000);
    }
  }

  @Test
  void streamDropBreaksTheStream() {
    try (GrpcFixture gw = new GrpcFixture("""
        {"enabled": true, "fault_injection": {"stream_drop_probability": 1.0}}""")) {
      for (int i = 0; i < 3; i++) {
        GrpcFixture.Result result = gw.call("Repeat", List.of("5"));
        assertThat(result.messages()).hasSizeLessThan(5);
        assertThat(result.status()).isEqualTo(GrpcStatus.UNAVAILABLE);
        assertThat(result.headers().get("x-faultline-fault")).isEqualTo("stream_drop");
      }
    }
  }

  @Test
  void perMessageLatencySlowsEachStreamMessage() {
    try (GrpcFixture gw = new GrpcFixture("{\"enabled\": true, \"latency\": {\"per_message_delay_ms\": 100}}")) {
      gw.call("Repeat", List.of("1"));
      var timed = Timing.time(() -> gw.call("Repeat", List.of("5")));
      assertThat(timed.value().messages()).hasSize(5);
      // 5 messages held 100 ms each, one after another; generous upper bound for CI.
      Timing.assertElapsedBetween(timed.elapsedMs(), 490, 3_000);
    }
  }

  @Test
  void bandwidthLimitPacesResponseFrames() {
    try (GrpcFixture gw = new GrpcFixture("{\"enabled\": true, \"traffic_shaping\": {\"bandwidth_limit_bps\": 10}}")) {
      var timed = Timing.time(() -> gw.call("Repeat", List.of("5")));
      assertThat(timed.value().messages()).hasSize(5);
      // five 2-byte frames at 10 B/s, each delivered when its last byte would be: 200 ms each
      Timing.assertElapsedBetween(timed.elapsedMs(), 950, 3_000);
    }
  }

  @Test
  void grpcsUpstreamsAreReachedOverTls() {
    SelfSignedCertificate certificate = SelfSignedCertificate.create("localhost");
    HttpServerOptions tls = new HttpServerOptions().setHost("127.0.0.1").setPort(Upstreams.portToListenOn()).setSsl(true).setUseAlpn(true)
        .setKeyCertOptions(certificate.keyCertOptions());
    try (GrpcFixture probe = new GrpcFixture(null)) {
      int tlsPort = probe.startUpstream(tls);
      try (GrpcFixture trusting = new GrpcFixture(null, "grpcs://127.0.0.1:" + tlsPort, true)) {
        assertThat(trusting.call("Unary", List.of("secret")).messages()).containsExactly("echo:secret");
      }
      try (GrpcFixture verifying = new GrpcFixture(null, "grpcs://127.0.0.1:" + tlsPort, false)) {
        GrpcFixture.Result refused = verifying.call("Unary", List.of("secret"));
        assertThat(refused.status()).as("a self-signed certificate is not trusted by default").isEqualTo(GrpcStatus.UNAVAILABLE);
        // says why and what to do ("Failed to create SSL connection" before)
        assertThat(refused.message()).contains("TLS with the upstream failed").contains("tls_trust_all");
      }
    } finally {
      certificate.delete();
    }
  }

  @Test
  void anUpstreamThatMissesTheDeadlineGivesDeadlineExceeded() {
    try (GrpcFixture gw = new GrpcFixture(null)) {
      var timed = Timing.time(() -> gw.call("Hang", List.of("x"), 400, Map.of(), null));
      assertThat(timed.value().status()).isEqualTo(GrpcStatus.DEADLINE_EXCEEDED);
      Timing.assertElapsedBetween(timed.elapsedMs(), 350, 3_000);
      assertThat(gw.upstreamCalls.get()).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"off", "touched"})
  void anUpstreamThatDiesMidCallIsAnErrorOfTheCallNotTheClientsOwnCancel(String mode) {
    try (GrpcFixture gw = new GrpcFixture(chaos(mode))) {
      for (String method : List.of("Die", "ResetMid")) { // its connection lost; its stream reset
        GrpcFixture.Result result = gw.call(method, List.of("x"));
        assertThat(result.messages()).containsExactly("first");
        // as through nginx's grpc_pass (RST_STREAM INTERNAL_ERROR); CANCELLED read as the client giving up,
        // and on the decoded path a lost upstream connection left the client waiting
        assertThat(result.status()).as(method + ": " + result.message()).isEqualTo(GrpcStatus.INTERNAL);
      }
    }
  }

  @Test
  void anUpstreamThatStallsAfterItsFirstMessageGivesDeadlineExceededInTheTrailers() {
    try (GrpcFixture gw = new GrpcFixture(null)) {
      var timed = Timing.time(() -> gw.call("Stall", List.of("x"), 400, Map.of(), null));
      assertThat(timed.value().messages()).containsExactly("first");
      assertThat(timed.value().status()).isEqualTo(GrpcStatus.DEADLINE_EXCEEDED);
      Timing.assertElapsedBetween(timed.elapsedMs(), 350, 3_000);
    }
  }

  @Test
  void bandwidthLimitPacesRequestFrames() {
    try (GrpcFixture gw = new GrpcFixture("{\"enabled\": true, \"traffic_shaping\": {\"bandwidth_limit_bps\": 10}}")) {
      var timed = Timing.time(() -> gw.call("Count", List.of("aa", "bb", "cc", "dd", "ee")));
      assertThat(timed.value().messages()).containsExactly("count:5");
      // five 2-byte request frames at 10 B/s, each sent when its last byte would be: 200 ms each
      Timing.assertElapsedBetween(timed.elapsedMs(), 950, 4_000);
    }
  }
}
