package io.faultline.protocol.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.testing.Upstreams;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.StreamResetException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An upstream that answers a client stream with its status at once, while the client still sends, and leaves the
 * stream to the client: no RST_STREAM after its trailers (HTTP/2 leaves that to it, RFC 9113, 8.1). The gateway's
 * stream to it must end then, as a gRPC client's does (grpc-go resets it with NO_ERROR): left open, each such call
 * held one of the upstream's concurrent streams for as long as the connection lived, and a service with a stream
 * limit stopped taking calls.
 */
class GrpcEarlyAnswerTest {

  private static final Vertx upstreamVertx = Vertx.vertx();
  private static final Vertx clientVertx = Vertx.vertx();
  /** How each call's stream ended at the upstream: "ended" (the request's END_STREAM) or "reset N". */
  private static final BlockingQueue<String> closed = new LinkedBlockingQueue<>();
  private static String upstream;

  @BeforeAll
  static void startUpstream() {
    int port = upstreamVertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(Upstreams.portToListenOn()))
        .requestHandler(request -> {
          request.exceptionHandler(e -> closed.add(e instanceof StreamResetException reset ? "reset " + reset.getCode() : e.toString()));
          request.endHandler(v -> closed.add("ended"));
          request.handler(data -> { }); // read, and not answered
          request.response().putHeader("content-type", "application/grpc").putHeader("grpc-status", "9")
              .putHeader("grpc-message", "refused early").end(); // trailers-only, the request still open
        })
        .listen().await().actualPort();
    upstream = "127.0.0.1:" + port;
  }

  @AfterAll
  static void stop() {
    clientVertx.close().await();
    upstreamVertx.close().await();
  }

  @ParameterizedTest
  @ValueSource(strings = {"off", "zero", "touched"})
  void anUpstreamsStreamEndsWhenTheClientEndsItsOwnAfterAnEarlyAnswer(String mode) throws Exception {
    assertThat(earlyAnswer(mode, request -> request.end())).as(mode).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"off", "zero", "touched"})
  void anUpstreamsStreamEndsWhenTheClientResetsItsOwnAfterAnEarlyAnswer(String mode) throws Exception {
    assertThat(earlyAnswer(mode, request -> request.reset(8))).as(mode).isNotNull();
  }

  /**
   * A client stream answered early through a listener on {@code mode}'s path ({@link GrpcFixture#onPath}), which its client
   * then ends as {@code then} does; answers how the upstream's stream ended, null when it did not within 3 s.
   */
  private static String earlyAnswer(String mode, java.util.function.Consumer<HttpClientRequest> then) throws Exception {
    closed.clear();
    HttpClient client = clientVertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
    try (GrpcFixture gw = GrpcFixture.onPath(mode, upstream)) {
      HttpClientRequest request = client.request(HttpMethod.POST, gw.port, "127.0.0.1", "/test.Echo/Collect").await();
      request.putHeader("content-type", "application/grpc").putHeader("te", "trailers").setChunked(true);
      Buffer message = Buffer.buffer("first");
      request.write(Buffer.buffer().appendByte((byte) 0).appendInt(message.length()).appendBuffer(message)).await();
      HttpClientResponse response = request.response().await(5, TimeUnit.SECONDS);
      // the client hears the status while its own stream stays open
      assertThat(response.getHeader("grpc-status")).as(mode).isEqualTo("9");
      assertThat(response.getHeader("grpc-message")).as(mode).isEqualTo("refused early");
      then.accept(request);
      return closed.poll(3, TimeUnit.SECONDS);
    } finally {
      client.close().await();
    }
  }
}
