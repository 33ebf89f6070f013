package io.faultline.protocol.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.testing.Upstreams;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Upstreams that reset a call's stream mid-answer or after it. Mostly: one that answers a call whole while its client
 * still streams, then resets the stream with NO_ERROR:
 * HTTP/2 lets a server ask a client to stop sending so (RFC 9113, 8.1), and grpc-go's servers do it whenever they
 * finish before the client half-closed. The answer stands; the reset only ends the request. Relayed with its end
 * still on its way to the client (held by a delay, or behind the answer's messages), the client's stream was reset
 * with INTERNAL_ERROR and the answer lost.
 */
class GrpcUpstreamResetTest {

  private static final Vertx upstreamVertx = Vertx.vertx();
  private static String upstream;

  /** Answers every call at once, as its head arrives: one message "answer", OK, then RST_STREAM(NO_ERROR). */
  @BeforeAll
  static void startUpstream() {
    int port = upstreamVertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(Upstreams.portToListenOn()))
        .requestHandler(request -> {
          if (request.path().endsWith("/Break")) { // three messages 100 ms apart, then a reset with INTERNAL_ERROR
            request.response().putHeader("content-type", "application/grpc");
            Buffer message = Buffer.buffer("part");
            Buffer frame = Buffer.buffer().appendByte((byte) 0).appendInt(message.length()).appendBuffer(message);
            upstreamVertx.setPeriodic(1, 100, id -> {
              if (request.response().bytesWritten() < 3L * frame.length()) {
                request.response().write(frame);
              } else {
                upstreamVertx.cancelTimer(id);
                request.response().reset(2);
              }
            });
            return;
          }
          if (request.path().endsWith("/ShutDown")) { // GOAWAY first (a graceful shutdown), then the answer 100 ms later
            request.connection().shutdown(5, TimeUnit.SECONDS);
            upstreamVertx.setTimer(100, id -> {
              Buffer message = Buffer.buffer("last");
              request.response().putHeader("content-type", "application/grpc")
                  .write(Buffer.buffer().appendByte((byte) 0).appendInt(message.length()).appendBuffer(message));
              request.response().putTrailer("grpc-status", "0");
              request.response().end();
            });
            return;
          }
          if (request.path().endsWith("/Unended")) { // against the RFC: one message, no end, then the reset
            Buffer message = Buffer.buffer("half");
            request.response().putHeader("content-type", "application/grpc")
                .write(Buffer.buffer().appendByte((byte) 0).appendInt(message.length()).appendBuffer(message))
                .onComplete(written -> upstreamVertx.setTimer(50, id -> request.response().reset(0)));
            return;
          }
          // Chat: one message; Big: 64 of 64 KiB, more than the client's stream window, so the relay waits on the client
          boolean big = request.path().endsWith("/Big") || request.path().endsWith("/BigClosing");
          Buffer message = big ? Buffer.buffer(new byte[64 * 1024]) : Buffer.buffer("answer");
          request.response().putHeader("content-type", "application/grpc");
          for (int i = 0; i < (big ? 64 : 1); i++) {
            request.response().write(Buffer.buffer().appendByte((byte) 0).appendInt(message.length()).appendBuffer(message));
          }
          request.response().putTrailer("grpc-status", "0");
          if (request.path().contains("Closing")) { // the answer whole, then its connection closed (GOAWAY): a server shutting down
            request.response().end().onComplete(ended -> request.connection().close());
            return;
          }
          request.response().end().onComplete(ended -> request.response().reset(0));
        })
        .listen().await().actualPort();
    upstream = "127.0.0.1:" + port;
  }

  @AfterAll
  static void stopUpstream() {
    upstreamVertx.close().await();
  }

  @ParameterizedTest
  @ValueSource(strings = {"off", "zero", "touched", "{\"enabled\": true, \"latency\": {\"per_message_delay_ms\": 300}}"})
  void anAnswerEndedBeforeTheClientHalfClosedStandsDespiteTheResetThatFollows(String mode) throws Exception {
    try (GrpcFixture gw = fixture(mode)) {
      assertThat(call(gw, "Chat", 0)).as(mode).isEqualTo("1 messages, status OK");
    }
  }

  /** The same answer, 4 MiB, to a client that reads slowly: its end waits behind the full stream. */
  @ParameterizedTest
  @ValueSource(strings = {"off", "zero", "touched"})
  void aBigAnswerASlowClientReadsStandsDespiteTheResetThatFollows(String mode) throws Exception {
    try (GrpcFixture gw = fixture(mode)) {
      assertThat(call(gw, "Big", 20)).as(mode).isEqualTo("64 messages, status OK");
    }
  }

  /**
   * An upstream that answers whole and then closes its connection (GOAWAY, a server shutting down, as in a rolling
   * restart) has its answer relayed whole, though the relay still held its end: behind a delay, or behind what a slow
   * client has not read yet. Nor does a graceful shutdown's GOAWAY, sent before the answer, lose the call it let finish.
   * (Guards: note 31 listed such answers as failed; none of these shapes fails.)
   */
  @ParameterizedTest
  @ValueSource(strings = {"off", "touched", "{\"enabled\": true, \"latency\": {\"per_message_delay_ms\": 30}}"})
  void anAnswerWholeBeforeItsConnectionClosedStands(String mode) throws Exception {
    // each call through a listener of its own: a call sent on the connection the last one's upstream is closing can meet
    // its GOAWAY first, and is answered UNAVAILABLE (CI saw it once), which is another question than this test's
    for (String[] shape : new String[][] {{"Closing", "0", "1"}, {"BigClosing", "20", "64"}, {"ShutDown", "0", "1"}}) {
      try (GrpcFixture gw = fixture(mode)) {
        assertThat(call(gw, shape[0], Long.parseLong(shape[1]), true)).as(mode + " " + shape[0]).isEqualTo(shape[2] + " messages, status OK");
      }
    }
  }

  /**
   * A server that resets with NO_ERROR before it ended its answer breaks the RFC: its client's stream is reset at once,
   * as for any broken answer (Vert.x reports the stream closed unended), not left waiting for an end that never comes.
   */
  @ParameterizedTest
  @ValueSource(strings = {"off", "zero", "touched"})
  void aResetWithNoErrorBeforeTheAnswersEndBreaksTheCallAtOnce(String mode) throws Exception {
    try (GrpcFixture gw = GrpcFixture.towards(switch (mode) {
      case "zero" -> GrpcProxyVerticleTest.ZERO;
      case "touched" -> GrpcProxyVerticleTest.TOUCHED;
      default -> null;
    }, upstream, 10_000)) {
      gw.events.recordingEveryExchange(mode.equals("zero"));
      long started = System.nanoTime();
      String outcome = call(gw, "Unended", 0);
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertThat(outcome).as(mode).startsWith("error: INTERNAL after 1 messages");
      assertThat(tookMs).as(mode).isLessThan(5_000L);
    }
  }

  /**
   * An upstream that breaks off mid-answer resets its client's stream, however the relay paced what came before: once a
   * delayed message had been let go, Vert.x dropped every later error of the answer (the relay, checking for a word
   * status, had asked for its trailers, which Vert.x then takes for an answer already ended) and a client that had
   * sent its whole request waited for ever.
   */
  @ParameterizedTest
  @ValueSource(strings = {"touched", "{\"enabled\": true, \"latency\": {\"per_message_delay_ms\": 50}}"})
  void anAnswerBrokenOffAfterAHeldMessageResetsTheClientsStream(String mode) throws Exception {
    try (GrpcFixture gw = fixture(mode)) {
      assertThat(call(gw, "Break", 0, true)).as(mode).isEqualTo("error: INTERNAL after 3 messages");
    }
  }

  private static GrpcFixture fixture(String mode) {
    return mode.startsWith("{") ? GrpcFixture.towards(mode, upstream, 10_000) : GrpcFixture.onPath(mode, upstream);
  }

  /** Calls {@code method}, sending one message and never half-closing, reading a message each {@code everyMs} (0: at once); says what came. */
  private static String call(GrpcFixture gw, String method, long everyMs) throws Exception {
    return call(gw, method, everyMs, false);
  }

  private static String call(GrpcFixture gw, String method, long everyMs, boolean halfClose) throws Exception {
    GrpcClient client = GrpcClient.client(gw.vertx);
    try {
      List<String> received = new CopyOnWriteArrayList<>();
      Promise<String> outcome = Promise.promise();
      client.request(SocketAddress.inetSocketAddress(gw.port, "127.0.0.1")).onFailure(outcome::tryFail).onSuccess(req -> {
        req.fullMethodName("test.Echo/" + method);
        if (halfClose) {
          req.end(Buffer.buffer("hello"));
        } else {
          req.write(Buffer.buffer("hello")); // and no end: the client still streams
        }
        req.response().onFailure(e -> outcome.tryComplete("failed: " + e)).onSuccess(resp -> {
          resp.handler(b -> received.add("m"));
          resp.exceptionHandler(e -> outcome.tryComplete("failed: " + e));
          resp.errorHandler(e -> outcome.tryComplete("error: " + e + " after " + received.size() + " messages"));
          resp.end().onComplete(done -> outcome.tryComplete(done.succeeded()
              ? received.size() + " messages, status " + resp.status().name() : "failed: " + done.cause()));
          if (everyMs > 0) { // a message every everyMs: the relay waits on the client all along
            resp.pause();
            gw.vertx.setPeriodic(everyMs, id -> {
              resp.fetch(1);
              if (outcome.future().isComplete()) {
                gw.vertx.cancelTimer(id);
              }
            });
          }
        });
      });
      return outcome.future().await(20, TimeUnit.SECONDS);
    } finally {
      client.close().await();
    }
  }
}
