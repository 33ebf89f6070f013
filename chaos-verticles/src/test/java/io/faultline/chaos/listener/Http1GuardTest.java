package io.faultline.chaos.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.testing.Upstreams;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.impl.ConnectionBase;
import java.lang.ref.WeakReference;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The guard's pending deadline check must not outlive its connection. */
class Http1GuardTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  @Test
  void aClosedConnectionIsNotKeptUntilItsIdleDeadline() throws Exception {
    WeakReference<?>[] channel = new WeakReference<?>[1];
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(Upstreams.portToListenOn()))
        .connectionHandler(connection -> {
          Http1Guard.install(connection, 60_000, 60_000);
          channel[0] = new WeakReference<>(((ConnectionBase) connection).channel());
        })
        .requestHandler(request -> request.response().end("ok"));
    server.listen().await();
    try (Socket socket = new Socket("127.0.0.1", server.actualPort())) {
      socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      byte[] answer = new byte[256];
      assertThat(new String(answer, 0, socket.getInputStream().read(answer), StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200");
    } // closed by the client: the guard had its idle check pending, a minute ahead
    // thousands of closed connections a second were each kept until then: the heap filled under connection churn
    long until = System.nanoTime() + 10_000_000_000L;
    while (channel[0].get() != null && System.nanoTime() < until) {
      System.gc();
      Thread.sleep(100);
    }
    assertThat(channel[0].get()).as("the closed connection's channel, still reachable").isNull();
  }
}
