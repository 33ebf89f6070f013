package io.faultline.protocol.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.testing.NodeClients;
import java.nio.file.Path;
import java.util.List;
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
      int passed = count(output, method.equals("Fail") ? "status INVALID_ARGUMENT (\\d+)" : "ok (\\d+)");
      int failed = count(output, "status UNAVAILABLE (\\d+)");
      assertThat(passed + failed).as(output).isEqualTo(200);
      gw.events.await("every call counted", () -> gw.events.completions().size() >= 200);
      assertThat(gw.events.completions()).as("calls counted").hasSize(200);
      assertThat(gw.events.faults()).as("faults counted").hasSize(failed);
      assertThat(gw.upstreamCalls.get()).as("calls sent upstream").isEqualTo(200);
      // 200 draws at 0.5 (seeded): between 70 and 130 fail unless the draws are not what was asked
      assertThat(failed).as(output).isBetween(70, 130);
    }
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

  private static int count(String output, String pattern) {
    Matcher m = Pattern.compile(pattern).matcher(output);
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }
}
