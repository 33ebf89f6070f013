package io.faultline.chaos.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.testing.Upstreams;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** An upstream WebSocket, as the relay opens it, against a real Vert.x server. */
class WebSocketUpgradesTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  /**
   * The HTTP connection an upstream WebSocket's handshake went over is let go once the socket is open (Vert.x
   * kept it, and its write queue, for the socket's life: a fifth of what an idle relayed connection kept), and
   * the socket goes on as before. Fails if a later Vert.x has no such reference to let go: look again then.
   */
  @Test
  void theHandshakesHttpConnectionIsLetGoAndTheSocketGoesOn() throws Exception {
    HttpServer echo = vertx.createHttpServer().webSocketHandler(ws -> ws.textMessageHandler(ws::writeTextMessage)).listen(Upstreams.portToListenOn(), "127.0.0.1").await();
    // held: Vert.x 5 closes a client nobody references (from a Cleaner), in the middle of its handshake
    io.vertx.core.http.WebSocketClient client = WebSocketUpgrades.client(vertx, new WebSocketClientOptions());
    WebSocket upstream = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(echo.actualPort()).setURI("/")).await();

    assertThat(WebSocketUpgrades.releaseHandshakeConnection(upstream)).as("Vert.x 5.0.7's reference found and let go").isTrue();

    for (String text : new String[] {"one", "two"}) {
      Promise<String> back = Promise.promise();
      vertx.runOnContext(v -> {
        upstream.textMessageHandler(back::tryComplete);
        upstream.writeTextMessage(text);
      });
      assertThat(back.future().await(5, TimeUnit.SECONDS)).isEqualTo(text);
      System.gc(); // nothing the socket still needs went with the connection
    }
    upstream.close().await();
    client.close().await();
  }
}
