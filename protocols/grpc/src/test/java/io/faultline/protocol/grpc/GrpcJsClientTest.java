package io.faultline.protocol.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.testing.NodeClients;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * grpc-js ({@code @grpc/grpc-js} 1.14.7, installed by this test from npm into {@code target/grpc-js}), as
 * Node services call gRPC, through a grpc listener: {@code src/test/node/grpc-js-calls.js} makes unary calls
 * one after another and prints what it got.
 */
class GrpcJsClientTest {

  private static final Path DIR = Path.of("target", "grpc-js");
  private static final String CLIENT = "@grpc/grpc-js@1.14.7";

  /**
   * A connection error fails the share of calls asked for, each counted once. It reset the stream with
   * REFUSED_STREAM, which grpc-js (as grpc-java and grpc-go) takes for a call never processed and retries
   * unseen: 0.5 failed about a quarter of the calls, and the retries were counted as calls and faults too.
   */
  @Test
  void aConnectionErrorFailsTheShareOfCallsAskedForEachCountedOnce() throws Exception {
    NodeClients grpcJs = new NodeClients(DIR, CLIENT);
    try (GrpcFixture gw = new GrpcFixture("""
        {"enabled": true, "seed": 7, "fault_injection": {"connection_error_probability": 0.5}}""")) {
      String output = grpcJs.node("grpc-js-calls.js", 120, "127.0.0.1:" + gw.port, "200");
      int unavailable = count(output, "status UNAVAILABLE (\\d+)");
      int ok = count(output, "ok (\\d+)");
      assertThat(ok + unavailable).as(output).isEqualTo(200);
      gw.events.await("every call counted", () -> gw.events.completions().size() >= 200);
      // each call once: the upstream saw the calls that passed, the faults are the calls that failed
      assertThat(gw.events.completions()).as("calls counted").hasSize(200);
      assertThat(gw.events.faults()).as("faults counted").hasSize(unavailable);
      assertThat(gw.upstreamCalls.get()).isEqualTo(ok);
      // 200 draws at 0.5 (seeded): between 70 and 130 fail unless the draws are not what was asked (p² is 50)
      assertThat(unavailable).as(output).isBetween(70, 130);
    }
  }

  /**
   * A response cut off (a partial response, a stream dropped) fails the share of calls asked for, each
   * counted once and sent upstream once: the client's stream is reset after the answer's head, so grpc-js
   * has the call committed and does not retry it unseen (as it would a stream refused before any answer).
   * {@code Fail} answers trailers-only (a status, no message): its cut answer has a head all the same.
   */
  @ParameterizedTest
  @CsvSource({"partial_response_probability, Unary", "stream_drop_probability, Unary", "stream_drop_probability, Fail"})
  void aCutAnswerFailsTheShareOfCallsAskedForEachCountedOnce(String fault, String method) throws Exception {
    NodeClients grpcJs = new NodeClients(DIR, CLIENT);
    try (GrpcFixture gw = new GrpcFixture("""
        {"enabled": true, "seed": 11, "fault_injection": {"%s": 0.5}}""".formatted(fault))) {
      String output = grpcJs.node("grpc-js-calls.js", 120, "127.0.0.1:" + gw.port, "200", method);
      assertCutAnswersCountedOnce(gw, output, count(output, method.equals("Fail") ? "status INVALID_ARGUMENT (\\d+)" : "ok (\\d+)"),
          count(output, "status UNAVAILABLE (\\d+)"));
    }
  }

  /**
   * Of 200 calls at a cut probability of 0.5 (seeded), {@code passed} went through and {@code failed} were cut: each call
   * counted once, each cut once as a fault, each call sent upstream once, and the share cut what was asked.
   */
  static void assertCutAnswersCountedOnce(GrpcFixture gw, String output, int passed, int failed) {
    assertThat(passed + failed).as(output).isEqualTo(200);
    gw.events.await("every call counted", () -> gw.events.completions().size() >= 200);
    assertThat(gw.events.completions()).as("calls counted").hasSize(200);
    assertThat(gw.events.faults()).as("faults counted").hasSize(failed);
    assertThat(gw.upstreamCalls.get()).as("calls sent upstream").isEqualTo(200);
    // 200 draws at 0.5 (seeded): between 70 and 130 fail unless the draws are not what was asked
    assertThat(failed).as(output).isBetween(70, 130);
  }

  /**
   * A rate-limited call tells the client when the bucket has a token again ({@code grpc-retry-pushback-ms}, gRFC A6),
   * and grpc-js under a retry policy waits that long before it retries: the second of two calls at 2 a second gets
   * through on its retry, about half a second later. Without the pushback it retried after its own 10 ms and failed.
   */
  @Test
  void aRateLimitedCallsPushbackIsWhatARetryingClientWaits() throws Exception {
    NodeClients grpcJs = new NodeClients(DIR, CLIENT);
    try (GrpcFixture gw = new GrpcFixture("""
        {"enabled": true, "rate_limit": {"requests_per_second": 2, "burst_size": 1}}""")) {
      String output = grpcJs.node("grpc-js-retry.js", 60, "127.0.0.1:" + gw.port, "2");
      List<String> lines = output.lines().filter(l -> l.startsWith("ok ") || l.startsWith("status ")).toList();
      assertThat(lines).as(output).hasSize(2).allMatch(l -> l.startsWith("ok "));
      long second = Long.parseLong(lines.get(1).substring(3));
      assertThat(second).as("the retry waited for the token (500 ms after the first call's, at 2/s)").isBetween(450L, 3_000L);
      assertThat(gw.upstreamCalls.get()).isEqualTo(2);
    }
  }

  /**
   * An upstream's error reads the same to grpc-js whether chaos touches the call or not (chaos off; on at probability
   * 0, recorded; touching every call), and names the upstream. Decoded, grpc-js read a reset before the answer as
   * INTERNAL or CANCELLED, an answer without a status as UNKNOWN with no message, an HTTP 404 as UNAVAILABLE; relayed,
   * the same client read INTERNAL, UNIMPLEMENTED in its own words, and an HTML page as a message 1.7 GB long.
   */
  @Test
  void anUpstreamErrorReadsTheSameToGrpcJsWhetherChaosTouchesTheCallOrNot() throws Exception {
    NodeClients grpcJs = new NodeClients(DIR, CLIENT);
    Vertx upstreamVertx = Vertx.vertx();
    try {
      String upstream = HandWrittenUpstream.start(upstreamVertx);
      Map<String, String> read = new LinkedHashMap<>();
      for (String mode : List.of("off", "zero", "touched")) {
        try (GrpcFixture gw = GrpcFixture.onPath(mode, upstream)) {
          read.put(mode, grpcJs.node("grpc-js-status.js", 60, "127.0.0.1:" + gw.port,
              "Reset2", "Reset8", "HeadOnlyNoStatus", "MessageNoStatus", "Http404", "Html", "WordStatusOnly", "Ok"));
        }
      }
      assertThat(read.get("off")).as("relayed as streams").contains(
          "Reset2 UNAVAILABLE upstream unavailable: " + upstream + ": Stream reset: 2\n",
          "Reset8 UNAVAILABLE upstream unavailable: " + upstream + ": Stream reset: 8\n",
          "HeadOnlyNoStatus INTERNAL upstream " + upstream + " ended the call without a grpc-status\n",
          "MessageNoStatus INTERNAL upstream " + upstream + " ended the call without a grpc-status\n",
          "Http404 UNIMPLEMENTED upstream " + upstream + " answered HTTP status 404 (content-type text/plain) without a grpc-status\n",
          "Html UNKNOWN upstream " + upstream + " answered HTTP status 200 (content-type text/html) without a grpc-status\n",
          "WordStatusOnly UNKNOWN upstream " + upstream + " sent grpc-status \"abc\", not a number; its grpc-message: weird\n",
          "Ok ok\n");
      assertThat(read.get("zero")).as("at probability 0, recorded").isEqualTo(read.get("off"));
      assertThat(read.get("touched")).as("touched by chaos").isEqualTo(read.get("off"));
    } finally {
      upstreamVertx.close().await();
    }
  }

  /** The number {@code pattern}'s group 1 finds in {@code output} (a client's "ok N" line), 0 when none. */
  static int count(String output, String pattern) {
    Matcher m = Pattern.compile(pattern).matcher(output);
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }
}
