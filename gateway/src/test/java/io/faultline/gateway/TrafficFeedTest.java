package io.faultline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.gateway.config.Flag;
import io.vertx.core.Promise;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The console's live traffic: the once-a-second summary of each listener, over the admin port's GraphQL
 * {@code traffic} subscription (the token given in connection_init, as a browser must) and
 * {@code GET /api/traffic/recent}.
 */
class TrafficFeedTest {

  @Test
  void eachListenersTrafficArrivesOnceASecondWithItsErrorsAndFaults() throws Exception {
    try (GatewayFixture gw = new GatewayFixture(Map.of(Flag.ADMIN_TOKEN, "t0ken", Flag.CHAOS, "true",
        Flag.CHAOS_HTTP_ERRORS, "503", Flag.CHAOS_HTTP_ERROR_PROBABILITY, "1.0"))) {
      gw.token = "t0ken";
      Promise<JsonObject> withErrors = Promise.promise();
      WebSocketClient client = gw.clientVertx.createWebSocketClient();
      WebSocket ws = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gw.gateway.adminPort())
          .setURI("/graphql").addSubProtocol("graphql-transport-ws")).await();
      ws.textMessageHandler(text -> {
        JsonObject message = new JsonObject(text);
        if (message.getString("type").equals("connection_ack")) {
          ws.writeTextMessage(new JsonObject().put("id", "1").put("type", "subscribe")
              .put("payload", new JsonObject().put("query", "subscription { traffic }")).encode());
        } else if (message.getString("type").equals("next")) {
          JsonObject web = message.getJsonObject("payload").getJsonObject("data").getJsonObject("traffic")
              .getJsonArray("listeners").getJsonObject(0);
          if (web.getLong("errors") > 0) {
            withErrors.tryComplete(web);
          }
        }
      });
      ws.writeTextMessage(new JsonObject().put("type", "connection_init")
          .put("payload", new JsonObject().put("Authorization", "Bearer t0ken")).encode());
      // Requests until a summary counts them (the subscription registers asynchronously; summaries come each second).
      for (int i = 0; i < 100 && !withErrors.future().isComplete(); i++) {
        assertThat(gw.traffic("/x").statusCode()).isEqualTo(503);
        Thread.sleep(50);
      }
      JsonObject web = withErrors.future().await(10, TimeUnit.SECONDS);
      assertThat(web.getString("name")).isEqualTo("web");
      assertThat(web.getString("protocol")).isEqualTo("http");
      assertThat(web.getInteger("port")).isEqualTo(gw.gateway.listenerPort("web"));
      assertThat(web.getString("upstream")).isEqualTo(gw.upstream.url());
      assertThat(web.getDouble("error_rate")).isEqualTo(1.0);
      // a fault is counted as it is decided, its error as the answer ends: a summary taken between the two counts one of
      // them, so they differ by at most the requests in flight, one here (each is awaited before the next)
      assertThat(web.getJsonObject("faults").getLong("http_error")).isBetween(web.getLong("errors") - 1, web.getLong("errors") + 1);
      assertThat(web.getDouble("p99_ms")).isNotNull();
      client.close().await();

      JsonArray recent = gw.get("/api/traffic/recent?seconds=300").bodyAsJsonObject().getJsonArray("summaries");
      assertThat(recent).isNotEmpty();
      long errors = recent.stream().mapToLong(s -> ((JsonObject) s).getJsonArray("listeners").getJsonObject(0).getLong("errors")).sum();
      assertThat(errors).as("every request so far, less any in the second not yet summarised").isPositive();
      assertThat(gw.get("/api/traffic/recent?seconds=0").bodyAsJsonObject().getString("field")).isEqualTo("seconds");
      assertThat(gw.get("/api/traffic/recent?seconds=x").statusCode()).isEqualTo(400);
      // over the event bus (a script, the bridge) as over REST: a fraction is refused, not cut short; a number as text is one
      var bus = gw.gateway.vertx().eventBus();
      for (Object fraction : List.of(2.9, 0.5)) {
        Throwable refused = bus.request(io.faultline.chaos.control.Addresses.TRAFFIC_RECENT, new JsonObject().put("seconds", fraction))
            .map(m -> (Throwable) null).otherwise(e -> e).await();
        assertThat(refused).as(String.valueOf(fraction)).isInstanceOf(io.vertx.core.eventbus.ReplyException.class);
        assertThat(refused.getMessage()).as(String.valueOf(fraction)).contains("must be a whole number from 1 to 300, got " + fraction);
      }
      JsonObject asText = bus.<JsonObject>request(io.faultline.chaos.control.Addresses.TRAFFIC_RECENT, new JsonObject().put("seconds", "300"))
          .await().body();
      assertThat(asText.getJsonArray("summaries")).isNotEmpty();
    }
  }
}
