package io.faultline.protocol.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.grpc.common.GrpcStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * An upstream whose answer breaks gRPC's rules, written frame by frame by a plain HTTP/2 server: a status in its
 * headers and then messages, a {@code grpc-status} that is not a number, a compressed message without
 * {@code grpc-encoding}. Vert.x's gRPC client throws inside its own handlers on each, so a call chaos touched
 * (decoded message by message) was never answered and kept its bulkhead permit for ever.
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
    int port = upstreamVertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(request -> request.end().onComplete(read -> answer(request.path(), request.response())))
        .listen().await().actualPort();
    upstream = "127.0.0.1:" + port;
  }

  @AfterAll
  static void stopUpstream() {
    upstreamVertx.close().await();
  }

  /** Each method's answer, as the frames it sends: HEADERS, DATA, then trailers (HEADERS ending the stream). */
  private static void answer(String path, HttpServerResponse response) {
    response.putHeader("content-type", "application/grpc");
    switch (path) {
      case "/test.Echo/Ok" -> {
        response.write(message(0, Buffer.buffer("fine")));
        response.trailers().set("grpc-status", "0");
      }
      case "/test.Echo/LateWordStatus" -> { // its head at once, its message and a status that is not a number 300 ms later
        response.writeHead();
        upstreamVertx.setTimer(300, id -> {
          response.write(message(0, Buffer.buffer("late")));
          response.trailers().set("grpc-status", "abc");
          response.end();
        });
        return;
      }
      case "/test.Echo/StatusThenMessage" -> { // a trailers-only answer's head, but the stream goes on
        response.putHeader("grpc-status", "3").putHeader("grpc-message", "in-headers");
        response.write(message(0, Buffer.buffer("after")));
        response.trailers().set("grpc-status", "0");
      }
      case "/test.Echo/WordStatus" -> {
        response.write(message(0, Buffer.buffer("first")));
        response.trailers().set("grpc-status", "abc").set("grpc-message", "weird");
      }
      case "/test.Echo/WordStatusOnly" -> response.putHeader("grpc-status", "abc").putHeader("grpc-message", "weird");
      case "/test.Echo/CompressedWithoutEncoding" -> {
        response.write(message(1, gzip("zipped")));
        response.trailers().set("grpc-status", "0");
      }
      default -> response.putHeader("grpc-status", "12");
    }
    response.end();
  }

  private static Buffer message(int flag, Buffer payload) {
    return Buffer.buffer().appendByte((byte) flag).appendInt(payload.length()).appendBuffer(payload);
  }

  private static Buffer gzip(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
      zip.write(text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Buffer.buffer(out.toByteArray());
  }

  /** Calls {@code method} with no deadline, as a call that would hang for ever does. */
  private static GrpcFixture.Result call(GrpcFixture gw, String method) {
    return gw.call(method, List.of("x"), 0, Map.of(), null);
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
      "WordStatusOnly            | UNKNOWN  | sent grpc-status \"abc\", not a number",
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
   * Chaos off, the answer relayed as it came, but for a status that is not a number: the client gets UNKNOWN, as
   * grpc-java reads it, with the message the decoded path gives (grpc-js read it as status NaN, Vert.x's client hung).
   */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "WordStatus     | sent grpc-status \"abc\", not a number; its grpc-message: weird",
      "WordStatusOnly | sent grpc-status \"abc\", not a number; its grpc-message: weird"})
  void aWordStatusPassedThroughIsUnknown(String method, String says) {
    try (GrpcFixture gw = GrpcFixture.towards(null, upstream, 10_000)) {
      GrpcFixture.Result bad = call(gw, method);
      assertThat(bad.status()).as(bad.message()).isEqualTo(GrpcStatus.UNKNOWN);
      assertThat(bad.message()).isEqualTo("upstream " + upstream + " " + says);
      assertThat(call(gw, "Ok").status()).isEqualTo(GrpcStatus.OK);
    }
  }
}
