package io.faultline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.testing.Upstreams;
import io.faultline.gateway.config.ConfigLoader;
import io.faultline.gateway.config.Flag;
import io.faultline.gateway.config.GatewayConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.ext.web.client.WebClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** A websocket listener started from flags, its chaos set over the REST API, observed by a real WebSocket client. */
class WebSocketGatewayTest {

  @Test
  void websocketListenerFromFlagsFollowsRestChaosChanges() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      int upstreamPort = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(Upstreams.portToListenOn()))
          .webSocketHandler(ws -> ws.textMessageHandler(text -> ws.writeTextMessage("echo:" + text)))
          .listen().await().actualPort();
      GatewayConfig config = ConfigLoader.load(null, Map.of(), Map.of(Flag.HTTP_PORT, "0", Flag.ADMIN_PORT, "0",
          Flag.WEBSOCKET_PORT, "0", Flag.WEBSOCKET_UPSTREAM, "ws://127.0.0.1:" + upstreamPort));
      Gateway gateway = Gateway.start(config, null, null).await();
      try {
        WebSocketClient client = vertx.createWebSocketClient();
        int port = gateway.listenerPort("live");
        assertThat(exchange(client, port, 3)).containsExactly("echo:0", "echo:1", "echo:2");

        WebClient web = WebClient.create(vertx);
        assertThat(web.put(gateway.adminPort(), "127.0.0.1", "/api/chaos/config/websocket")
            .sendBuffer(Buffer.buffer("{\"message_drop_probability\": 1.0, \"direction\": \"downstream\"}")).await().statusCode())
            .isEqualTo(200);
        web.post(gateway.adminPort(), "127.0.0.1", "/api/chaos/enable").send().await();
        assertThat(exchange(client, port, 3)).isEmpty();

        var bad = web.put(gateway.adminPort(), "127.0.0.1", "/api/chaos/config/websocket")
            .sendBuffer(Buffer.buffer("{\"direction\": \"sideways\"}")).await();
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.bodyAsJsonObject().getString("field")).isEqualTo("websocket.direction");

        String metrics = web.get(gateway.adminPort(), "127.0.0.1", "/metrics").send().await().bodyAsString();
        assertThat(metrics).contains("faultline_faults_injected_total{listener=\"live\",protocol=\"websocket\",route=\"default\",type=\"message_drop\"} 3.0");
        assertThat(metrics).contains("faultline_requests_total{listener=\"live\",outcome=\"2xx\",protocol=\"websocket\",route=\"default\"} 2.0");
        // one connection of the two met faults (three drops): half the requests, not three faults per two requests
        assertThat(MetricsTest.value(metrics, "faultline_chaos_impact_score")).isEqualTo(0.5);
      } finally {
        gateway.close().await();
      }
    } finally {
      vertx.close().await();
    }
  }

  /** Sends {@code n} messages, waits for what comes back, then closes. */
  private static List<String> exchange(WebSocketClient client, int port, int n) throws Exception {
    List<String> got = new CopyOnWriteArrayList<>();
    WebSocket ws = client.connect(port, "127.0.0.1", "/").map(s -> s.textMessageHandler(got::add)).await();
    for (int i = 0; i < n; i++) {
      ws.writeTextMessage(Integer.toString(i));
    }
    long deadline = System.currentTimeMillis() + 1_000;
    while (got.size() < n && System.currentTimeMillis() < deadline) {
      Thread.sleep(10);
    }
    ws.close().await();
    Thread.sleep(100); // the close reaches the gateway's metrics
    return got;
  }
}
