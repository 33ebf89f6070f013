package io.faultline.protocol.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcStatus;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An upstream whose answer breaks gRPC's rules, written frame by frame by a plain HTTP/2 server
 * ({@link HandWrittenUpstream}): a status in its headers and then messages, a {@code grpc-status} that is not a
 * number, a compressed message without {@code grpc-encoding}, no {@code grpc-status}, an HTTP error, a reset before
 * any answer. Vert.x's gRPC client throws inside its own handlers on the first three, so a call chaos touched
 * (decoded message by message) was never answered and kept its bulkhead permit for ever; on the others the decoded
 * path answered otherwise than the pass-through path.
 */
class GrpcMalformedAnswerTest {

  /** Chaos touches every call (a 1 ms delay), and lets one in at a time: a call left hanging keeps the only permit. */
  static final String DECODED_ONE_AT_A_TIME = """
      {"enabled": true, "latency": {"fixed_delay_ms": 1},
       "bulkhead": {"max_concurrent_requests": 1, "max_queue_size": 0}}""";

  /** Every response message held 300 ms: the answer's end arrives while the relay holds its stream paused. */
  static final String DECODED_HELD = """
      {"enabled": true, "latency": {"per_message_delay_ms": 300},
       "bulkhead": {"max_concurrent_requests": 1, "max_queue_size": 0}}""";

  /** Every call held 10 s before it goes upstream: the kill switch releases them all at once. */
  static final String DECODED_HELD_LONG = """
      {"enabled": true, "latency": {"fixed_delay_ms": 10000}}""";

  private static Vertx upstreamVertx;
  private static String upstream;

  @BeforeAll
  static void startUpstream() {
    upstreamVertx = Vertx.vertx();
    upstream = HandWrittenUpstream.start(upstreamVertx);
  }

  @AfterAll
  static void stopUpstream() {
    upstreamVertx.close().await();
  }

  /** Calls {@code method} with no deadline, as a call that would hang for ever does. */
  private static GrpcFixture.Result call(GrpcFixture gw, String method) {
    return gw.call(method, List.of("x"), 0, Map.of(), null);
  }

  /**
   * A call in a content type that Vert.x's gRPC server and client do not take (a {@code +thrift} codec's, with
   * parameters, in other case) goes through whatever the path: chaos leaves it untouched, as it cannot read it. On
   * chaos's path it was refused with a bare HTTP 415 (and its client failed the call), in other case on either path.
   */
  @ParameterizedTest(name = "{0}, chaos {1}")
  @CsvSource(delimiter = '|', value = {
      "application/grpc+thrift        | off", "application/grpc+thrift        | zero", "application/grpc+thrift        | touched",
      "application/grpc; charset=utf-8 | touched", "application/grpc+json          | touched", "Application/gRPC | off",
      "Application/gRPC | touched"})
  void aCallInAContentTypeChaosCannotReadPassesUntouched(String contentType, String mode) throws Exception {
    try (GrpcFixture gw = GrpcFixture.onPath(mode, upstream)) {
      io.vertx.core.http.HttpClient h2 = gw.vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions()
          .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
      io.vertx.core.buffer.Buffer message = io.vertx.core.buffer.Buffer.buffer().appendByte((byte) 0).appendInt(5).appendString("hello");
      io.vertx.core.http.HttpClientResponse[] answered = new io.vertx.core.http.HttpClientResponse[1];
      io.vertx.core.buffer.Buffer body = h2.request(io.vertx.core.http.HttpMethod.POST, gw.port, "127.0.0.1", "/test.Echo/AsSent")
          .compose(request -> request.putHeader("content-type", contentType).putHeader("te", "trailers").send(message))
          .compose(response -> {
            answered[0] = response;
            return response.body();
          }).await(10, TimeUnit.SECONDS);
      assertThat(answered[0].statusCode()).isEqualTo(200);
      assertThat(answered[0].getHeader("content-type")).isEqualTo(contentType);
      assertThat(answered[0].getTrailer("grpc-status")).isEqualTo("0");
      assertThat(body).isEqualTo(message);
      gw.events.await("the call counted", () -> gw.events.completions().size() == 1);
      assertThat(gw.events.completions().get(0).outcome()).isEqualTo("2xx");
      h2.close().await(10, TimeUnit.SECONDS);
    }
  }

  /**
   * An answer whose gRPC content type has parameters, another case, or another format than the call's (grpc-java
   * answers a {@code +json} call as {@code application/grpc}) is relayed whole when chaos touches it, each message
   * held 1 ms, as untouched. Chaos's path failed the first two UNAVAILABLE ("Invalid HTTP response content-type
   * header"), and lost the third's messages, ending the call with status 0.
   */
  @ParameterizedTest(name = "{0} answered as {1}, chaos {2}")
  @CsvSource(delimiter = '|', value = {
      "application/grpc      | application/grpc; charset=utf-8 | off", "application/grpc      | application/grpc; charset=utf-8 | held",
      "application/grpc      | Application/gRPC                | held", "application/grpc+json | application/grpc                | held",
      "application/grpc+json | application/grpc                | off"})
  void anAnswerInAnotherFormOfGrpcsContentTypeIsRelayedWhole(String contentType, String answerType, String mode) throws Exception {
    try (GrpcFixture gw = mode.equals("off") ? GrpcFixture.onPath(mode, upstream)
        : new GrpcFixture("""
            {"enabled": true, "latency": {"per_message_delay_ms": 1}}""", upstream)) {
      io.vertx.core.http.HttpClient h2 = gw.vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions()
          .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
      io.vertx.core.buffer.Buffer message = io.vertx.core.buffer.Buffer.buffer().appendByte((byte) 0).appendInt(1).appendString("x");
      io.vertx.core.http.HttpClientResponse[] answered = new io.vertx.core.http.HttpClientResponse[1];
      io.vertx.core.buffer.Buffer body = h2.request(io.vertx.core.http.HttpMethod.POST, gw.port, "127.0.0.1", "/test.Echo/Typed")
          .compose(request -> request.putHeader("content-type", contentType).putHeader("x-answer-type", answerType)
              .putHeader("te", "trailers").send(message))
          .compose(response -> {
            answered[0] = response;
            return response.body();
          }).await(10, TimeUnit.SECONDS);
      assertThat(answered[0].getTrailer("grpc-message")).as("grpc-message").isNull();
      assertThat(answered[0].getTrailer("grpc-status")).isEqualTo("0");
      assertThat(body.toString(java.nio.charset.StandardCharsets.ISO_8859_1)).as("the two messages").isEqualTo("\0\0\0\0\2m0\0\0\0\0\2m1");
      h2.close().await(10, TimeUnit.SECONDS);
    }
  }

  /**
   * 100 messages the upstream wrote one by one, batched on their way (the pass-through's and the decoded path's
   * {@link TurnBatch}), reach the client whole and in order, in fewer DATA frames than messages. (Netty merges the frames
   * one flush sends, so the client saw as few before the pass-through batched its writes.)
   */
  @ParameterizedTest(name = "chaos {0}")
  @CsvSource({"off", "zero"})
  void messagesBatchedOnTheirWayArriveWholeAndInOrder(String mode) throws Exception {
    try (GrpcFixture gw = GrpcFixture.onPath(mode, upstream)) {
      io.vertx.core.http.HttpClient h2 = gw.vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions()
          .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
      java.util.concurrent.atomic.AtomicInteger frames = new java.util.concurrent.atomic.AtomicInteger();
      io.vertx.core.buffer.Buffer body = io.vertx.core.buffer.Buffer.buffer();
      io.vertx.core.buffer.Buffer message = io.vertx.core.buffer.Buffer.buffer().appendByte((byte) 0).appendInt(1).appendString("x");
      String status = h2.request(io.vertx.core.http.HttpMethod.POST, gw.port, "127.0.0.1", "/test.Echo/Many100")
          .compose(request -> request.putHeader("content-type", "application/grpc").putHeader("te", "trailers").send(message))
          .compose(response -> {
            io.vertx.core.Promise<String> ended = io.vertx.core.Promise.promise();
            response.handler(chunk -> {
              frames.incrementAndGet();
              body.appendBuffer(chunk);
            });
            response.endHandler(v -> ended.complete(response.getTrailer("grpc-status")));
            return ended.future();
          }).await(10, TimeUnit.SECONDS);
      assertThat(status).isEqualTo("0");
      List<String> messages = new java.util.ArrayList<>();
      for (int at = 0; at < body.length(); at += 5 + body.getInt(at + 1)) {
        messages.add(body.getString(at + 5, at + 5 + body.getInt(at + 1)));
      }
      assertThat(messages).hasSize(100).startsWith("m0", "m1").endsWith("m99");
      assertThat(frames.get()).as("DATA frames the client read").isLessThan(50);
      h2.close().await(10, TimeUnit.SECONDS);
    }
  }

  /**
   * The client gets the status grpc-java reads from the same answer relayed as it came (the pass-through
   * path), or INTERNAL where Vert.x's client cannot read the answer at all, with a message saying what the
   * upstream did; the call ends, so the next one gets the bulkhead's permit and is counted.
   */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "StatusThenMessage         | INTERNAL | sent a message after the status in its headers (grpc-status 3)",
      "WordStatus                | UNKNOWN  | sent grpc-status \"abc\", not a number; its grpc-message: weird",
      "WordStatusOnly            | UNKNOWN  | sent grpc-status \"abc\", not a number; its grpc-message: weird",
      "CompressedWithoutEncoding | INTERNAL | sent a compressed message without saying its grpc-encoding"})
  void aMalformedAnswerIsAnsweredAtOnceAndFreesItsPermit(String method, GrpcStatus status, String says) {
    try (GrpcFixture gw = GrpcFixture.towards(DECODED_ONE_AT_A_TIME, upstream, 10_000)) {
      long started = System.nanoTime();
      GrpcFixture.Result bad = call(gw, method);
      long tookMs = (System.nanoTime() - started) / 1_000_000;
      assertThat(bad.status()).as(bad.message()).isEqualTo(status);
      assertThat(bad.message()).isEqualTo("upstream " + upstream + " " + says);
      // at once: the upstream answers in a few ms; 5 s leaves room for a loaded machine, far under the 30 s a hang takes
      assertThat(tookMs).isLessThan(5_000);
      GrpcFixture.Result next = call(gw, "Ok");
      assertThat(next.status()).as("the only permit is free again: " + next.message()).isEqualTo(GrpcStatus.OK);
      assertThat(next.messages()).containsExactly("fine");
      gw.events.await("both calls counted", () -> gw.events.completions().size() >= 2);
      assertThat(gw.events.completions()).extracting(c -> c.outcome()).containsExactly("5xx", "2xx");
    }
  }

  /**
   * A malformed answer fails its own call only, even when calls go upstream from one context: the kill switch
   * releases every call a delay holds at once, from the event loop's own context, not each call's.
   */
  @Test
  void aMalformedAnswerFailsOnlyItsOwnCall() throws Exception {
    try (GrpcFixture gw = GrpcFixture.towards(DECODED_HELD_LONG, upstream, 10_000)) {
      gw.vertx.setTimer(1_000, id -> gw.state.enable(false)); // both calls are held by then: they are made at once
      CompletableFuture<GrpcFixture.Result> good = CompletableFuture.supplyAsync(() -> call(gw, "Ok"));
      GrpcFixture.Result bad = call(gw, "LateWordStatus");
      assertThat(bad.status()).as(bad.message()).isEqualTo(GrpcStatus.UNKNOWN);
      assertThat(bad.message()).isEqualTo("upstream " + upstream + " sent grpc-status \"abc\", not a number");
      assertThat(bad.messages()).containsExactly("late");
      GrpcFixture.Result fine = good.get(30, TimeUnit.SECONDS);
      assertThat(fine.status()).as(fine.message()).isEqualTo(GrpcStatus.OK);
      assertThat(fine.messages()).containsExactly("fine");
    }
  }

  /** The answer's end arrives while a per-message delay holds the stream: the message goes, then the status. */
  @Test
  void aWordStatusArrivingWhileTheStreamIsHeldIsAnsweredWithItsMessage() {
    try (GrpcFixture gw = GrpcFixture.towards(DECODED_HELD, upstream, 10_000)) {
      GrpcFixture.Result bad = call(gw, "WordStatus");
      assertThat(bad.status()).as(bad.message()).isEqualTo(GrpcStatus.UNKNOWN);
      assertThat(bad.message()).isEqualTo("upstream " + upstream + " sent grpc-status \"abc\", not a number; its grpc-message: weird");
      assertThat(bad.messages()).containsExactly("first");
      assertThat(call(gw, "Ok").status()).as("the only permit is free again").isEqualTo(GrpcStatus.OK);
    }
  }

  /**
   * What grpc-java 1.70 and grpc-js 1.14 read from each answer relayed as it came (chaos off), and the message that
   * says so; {@code %s} is the upstream. Relayed, the clients mapped an HTTP status themselves and said no upstream.
   */
  static Stream<Arguments> upstreamErrors() {
    String http = "upstream %s answered HTTP status %d (content-type text/plain) without a grpc-status";
    List<Arguments> errors = List.of(
        Arguments.of("Reset2", GrpcStatus.UNAVAILABLE, "upstream unavailable: %s: Stream reset: 2"),
        Arguments.of("Reset8", GrpcStatus.UNAVAILABLE, "upstream unavailable: %s: Stream reset: 8"),
        Arguments.of("Reset11", GrpcStatus.UNAVAILABLE, "upstream unavailable: %s: Stream reset: 11"),
        Arguments.of("HeadOnlyNoStatus", GrpcStatus.INTERNAL, "upstream %s ended the call without a grpc-status"),
        Arguments.of("MessageNoStatus", GrpcStatus.INTERNAL, "upstream %s ended the call without a grpc-status"),
        Arguments.of("Http400", GrpcStatus.INTERNAL, http.formatted("%s", 400)),
        Arguments.of("Http401", GrpcStatus.UNAUTHENTICATED, http.formatted("%s", 401)),
        Arguments.of("Http403", GrpcStatus.PERMISSION_DENIED, http.formatted("%s", 403)),
        Arguments.of("Http404", GrpcStatus.UNIMPLEMENTED, http.formatted("%s", 404)),
        Arguments.of("Http429", GrpcStatus.UNAVAILABLE, http.formatted("%s", 429)),
        Arguments.of("Http500", GrpcStatus.UNKNOWN, http.formatted("%s", 500)),
        Arguments.of("Http503", GrpcStatus.UNAVAILABLE, http.formatted("%s", 503)),
        Arguments.of("Html", GrpcStatus.UNKNOWN, "upstream %s answered HTTP status 200 (content-type text/html) without a grpc-status"),
        Arguments.of("WordStatus", GrpcStatus.UNKNOWN, "upstream %s sent grpc-status \"abc\", not a number; its grpc-message: weird"),
        Arguments.of("WordStatusOnly", GrpcStatus.UNKNOWN, "upstream %s sent grpc-status \"abc\", not a number; its grpc-message: weird"));
    return Stream.of("off", "zero", "touched").flatMap(mode -> errors.stream()
        .map(error -> Arguments.of(mode, error.get()[0], error.get()[1], error.get()[2])));
  }

  /**
   * The same upstream answer reads the same whether chaos touches the call or not, with a message naming the upstream.
   * Decoded, a reset before the answer was the reset code's mapping (INTERNAL, CANCELLED, RESOURCE_EXHAUSTED), an
   * answer without a status UNKNOWN, an HTTP error UNAVAILABLE ("Invalid HTTP response content-type header"), and a
   * trailers-only status that is not a number lost the upstream's message.
   */
  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("upstreamErrors")
  void anUpstreamErrorReadsTheSameWhetherChaosTouchesTheCallOrNot(String mode, String method, GrpcStatus status, String says) {
    try (GrpcFixture gw = GrpcFixture.onPath(mode, upstream)) {
      GrpcFixture.Result result = call(gw, method);
      assertThat(result.status()).as(result.message()).isEqualTo(status);
      assertThat(result.message()).isEqualTo(says.formatted(upstream));
      assertThat(call(gw, "Ok").status()).isEqualTo(GrpcStatus.OK);
    }
  }

  /**
   * A {@code grpc-timeout} the gateway cannot read bounds nothing on either path, and reaches the upstream as the
   * client sent it, which answers it as it would the client (grpc-go: INTERNAL). Decoded, it was dropped, and the
   * call the upstream would have refused went through.
   */
  @ParameterizedTest
  @CsvSource({"off, abc", "zero, abc", "touched, abc", "off, 123456789S", "touched, 123456789S", "touched, -5S"})
  void aGrpcTimeoutTheGatewayCannotReadReachesTheUpstreamAsSent(String mode, String timeout) {
    try (GrpcFixture gw = GrpcFixture.onPath(mode, upstream)) {
      GrpcFixture.Result result = gw.call("StrictTimeout", List.of("x"), 0, Map.of("grpc-timeout", timeout), null);
      assertThat(result.status()).as(result.message()).isEqualTo(GrpcStatus.INTERNAL);
      assertThat(result.message()).isEqualTo("malformed grpc-timeout: " + timeout);
    }
  }
}
