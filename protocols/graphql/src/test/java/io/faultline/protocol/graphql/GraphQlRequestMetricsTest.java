package io.faultline.protocol.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.config.ChaosConfig;
import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.listener.ConnectionGate;
import io.faultline.chaos.state.ChaosState;
import io.faultline.chaos.testing.RecordingListener;
import io.faultline.chaos.testing.Upstreams;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the GraphQL listener gives the request metrics. An operation's duration ({@code faultline_request_duration_seconds}) runs from the request's arrival to the answer's
 * start, as on the other listeners: an upload's time counts, an answer's streaming does not. It ran from the body read
 * whole to the answer's end, so an answer that streamed (or that a bandwidth limit paced) for 20 s counted 20 s, and an upload nothing.
 */
class GraphQlRequestMetricsTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @ParameterizedTest(name = "chaos {0}")
  @ValueSource(strings = {"null", "{\"enabled\": true, \"latency\": {\"fixed_delay_ms\": 5}}"})
  void anOperationsTimeRunsFromItsArrivalToItsAnswersStart(String chaos) throws Exception {
    // the answer's head and first piece at once, its end 3 s later
    HttpServer upstream = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      var response = request.response().setChunked(true).putHeader("content-type", "application/json");
      response.write("{\"data\":{\"hello\":\"");
      vertx.setTimer(3_000, id -> response.end("world\"}}"));
    })).listen(Upstreams.portToListenOn(), "127.0.0.1").await();
    RecordingListener events = new RecordingListener();
    ListenerConfig listener = new ListenerConfig("gql", "graphql", "127.0.0.1", 0,
        "http://127.0.0.1:" + upstream.actualPort() + "/graphql", null, 10_000L, null, 1, null, null);
    ChaosConfig config = chaos.equals("null") ? ChaosConfig.off() : GraphQlFixture.chaos(chaos);
    GraphQlProxyVerticle gateway = new GraphQlProxyVerticle(listener, new ChaosState(config, System::nanoTime, 42),
        new ConnectionGate(), 0, events);
    vertx.deployVerticle(gateway).await();

    String body = "{\"query\":\"{ hello }\"}";
    String answer;
    try (Socket socket = new Socket("127.0.0.1", gateway.actualPort())) {
      OutputStream out = socket.getOutputStream();
      out.write(("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
          + body.length() + "\r\n\r\n" + body.substring(0, 5)).getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Thread.sleep(1_000); // an upload that takes a second
      out.write(body.substring(5).getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
    assertThat(answer).startsWith("HTTP/1.1 200").contains("hello").contains("world");
    events.await("the operation counted", () -> !events.completions().isEmpty());
    long ms = TimeUnit.NANOSECONDS.toMillis(events.completions().get(0).durationNanos());
    assertThat(ms).as("its time, ms: the upload's second, not the answer's 3 s").isBetween(900L, 2_500L);
  }

  /** A request no route matches is counted as the other listeners count it, under route "none" (it was not counted). */
  @org.junit.jupiter.api.Test
  void aRequestNoRouteMatchesIsCountedUnderNone() throws Exception {
    RecordingListener events = new RecordingListener();
    ListenerConfig listener = new ListenerConfig("gql", "graphql", "127.0.0.1", 0, null, java.util.List.of(
        new io.faultline.chaos.config.RouteConfig("api", "/graphql", null, null, "http://127.0.0.1:1/graphql", null)),
        10_000L, null, 1, null, null);
    GraphQlProxyVerticle gateway = new GraphQlProxyVerticle(listener, new ChaosState(ChaosConfig.off(), System::nanoTime, 42),
        new ConnectionGate(), 0, events);
    vertx.deployVerticle(gateway).await();
    var answer = io.vertx.ext.web.client.WebClient.create(vertx).post(gateway.actualPort(), "127.0.0.1", "/other")
        .sendJsonObject(new io.vertx.core.json.JsonObject().put("query", "{ hello }")).await();
    assertThat(answer.statusCode()).isEqualTo(404);
    events.await("the request counted", () -> !events.completions().isEmpty());
    assertThat(events.completions()).singleElement().satisfies(c -> {
      assertThat(c.route()).isEqualTo("none");
      assertThat(c.outcome()).isEqualTo("4xx");
    });
  }
}
