package io.faultline.protocol.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.event.ChaosListener;
import io.faultline.chaos.listener.ConnectionGate;
import io.faultline.chaos.state.ChaosState;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** An upstream named by an IPv6 literal is asked with its host in brackets: {@code Host: ::1:8080} names no host. */
class GraphQlIpv6UpstreamTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void theUpstreamIsAskedWithItsHostInBrackets() throws Exception {
    HttpServer upstream = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body ->
        request.response().putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("data", new JsonObject().put("host", request.getHeader("Host"))).encode())))
        .listen(0, "::1").await(10, TimeUnit.SECONDS);
    ChaosState state = new ChaosState(GraphQlFixture.chaos(null), System::nanoTime, 42);
    ListenerConfig listener = new ListenerConfig("gql", "graphql", "127.0.0.1", 0,
        "http://[::1]:" + upstream.actualPort() + "/graphql", null, 5_000L, null, 1, null, null);
    GraphQlProxyVerticle verticle = new GraphQlProxyVerticle(listener, state, new ConnectionGate(), 0, ChaosListener.NOOP);
    vertx.deployVerticle(verticle).await(10, TimeUnit.SECONDS);

    // kept in a variable to the end: a Vert.x client no longer referenced is closed when collected, with its connections
    io.vertx.core.http.HttpClient client = vertx.createHttpClient();
    String answer = client.request(HttpMethod.POST, verticle.actualPort(), "127.0.0.1", "/")
        .compose(request -> request.putHeader("Content-Type", "application/json").send(new JsonObject().put("query", "{ host }").toBuffer()))
        .compose(HttpClientResponse::body).await(10, TimeUnit.SECONDS).toString();
    assertThat(new JsonObject(answer).getJsonObject("data").getString("host")).isEqualTo("[::1]:" + upstream.actualPort());
    client.close().await(10, TimeUnit.SECONDS);
  }
}
