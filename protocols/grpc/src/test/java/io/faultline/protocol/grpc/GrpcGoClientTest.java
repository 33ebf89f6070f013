package io.faultline.protocol.grpc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * grpc-go (Debian's {@code golang-google-grpc-dev}, built by this test with Debian's Go into {@code target/grpc-go}), as Go
 * services call gRPC, through a grpc listener: {@code src/test/go/grpc-go-calls.go} makes unary calls one after another and
 * prints what it got.
 */
class GrpcGoClientTest {

  private static final Path DIR = Path.of("target", "grpc-go").toAbsolutePath();

  /**
   * A response cut off (a partial response, a stream dropped) fails the share of calls asked for, each counted once and
   * sent upstream once. The cut was a REFUSED_STREAM reset after the answer's head, which grpc-go (unlike grpc-js and
   * grpc-java) takes for a call never processed whether a head came or not, and retries unseen: 0.5 failed about a
   * quarter of the calls, and the upstream had every cut call twice.
   */
  @ParameterizedTest
  @CsvSource({"partial_response_probability, Unary", "stream_drop_probability, Unary", "stream_drop_probability, Fail"})
  void aCutAnswerFailsTheShareOfCallsAskedForEachSentUpstreamOnce(String fault, String method) throws Exception {
    Path client = build("grpc-go-calls");
    try (GrpcFixture gw = new GrpcFixture("""
        {"enabled": true, "seed": 11, "fault_injection": {"%s": 0.5}}""".formatted(fault))) {
      String output = run(List.of(client.toString(), "127.0.0.1:" + gw.port, "200", method), 120);
      GrpcJsClientTest.assertCutAnswersCountedOnce(gw, output, GrpcJsClientTest.count(output, method.equals("Fail") ? "status InvalidArgument (\\d+)" : "ok (\\d+)"),
          GrpcJsClientTest.count(output, "status Unavailable (\\d+)"));
    }
  }

  /** Builds {@code src/test/go/NAME.go} against Debian's grpc-go (GOPATH mode: no module download), once per run. */
  private static synchronized Path build(String name) throws IOException, InterruptedException {
    Path binary = DIR.resolve(name);
    if (!Files.exists(binary)) {
      Files.createDirectories(DIR);
      Files.copy(Path.of("src", "test", "go", name + ".go"), DIR.resolve(name + ".go"), StandardCopyOption.REPLACE_EXISTING);
      run(List.of("go", "build", "-o", binary.toString(), name + ".go"), 300);
    }
    return binary;
  }

  private static String run(List<String> command, long seconds) throws IOException, InterruptedException {
    return io.faultline.chaos.testing.NodeClients.run(DIR, command, java.util.Map.of("GO111MODULE", "off", "GOPATH", "/usr/share/gocode",
        "GOCACHE", DIR.resolve("cache").toString(), "GOFLAGS", ""), seconds);
  }
}
