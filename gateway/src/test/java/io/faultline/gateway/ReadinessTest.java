package io.faultline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.testing.Upstreams;
import io.faultline.gateway.config.ConfigLoader;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /health} is a readiness probe: the admin API comes up before the node's listeners (the node
 * registers with its address, joins, opens its history), so it answers 503 {@code STARTING} until they
 * are bound. A Kubernetes readiness probe or a CI script that waits for it never sends traffic to a port
 * that refuses it.
 */
class ReadinessTest {

  @TempDir
  Path dir;

  @Test
  void healthSaysUpOnlyOnceTheListenersAcceptConnections() throws Exception {
    Vertx vertx = Vertx.vertx();
    Upstreams.Echo upstream = Upstreams.echoHttp(vertx);
    int adminPort = Upstreams.portToListenOn();
    int trafficPort = Upstreams.portToListenOn();
    Path file = dir.resolve("faultline.yaml");
    Files.writeString(file, """
        admin: { port: %d }
        listeners:
          - { name: web, protocol: http, port: %d, upstream: "%s" }
        """.formatted(adminPort, trafficPort, upstream.url()));
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/health"))
        .timeout(Duration.ofSeconds(5)).build();
    Future<Gateway> starting = Gateway.start(ConfigLoader.load(file, Map.of(), Map.of()), file, null);
    List<String> seen = new ArrayList<>();
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline) {
        HttpResponse<String> answer;
        try {
          answer = client.send(health, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException notYet) {
          Thread.sleep(2);
          continue;
        }
        String status = answer.statusCode() + " " + answer.body().replaceAll("\\s", "");
        if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(status)) {
          seen.add(status);
        }
        if (answer.statusCode() == 200) {
          try (Socket traffic = new Socket("127.0.0.1", trafficPort)) {
            assertThat(traffic.isConnected()).as("the listener accepts once /health says UP").isTrue();
          }
          break;
        }
        assertThat(answer.statusCode()).as("before it is ready").isEqualTo(503);
        Thread.sleep(2);
      }
      assertThat(seen).as("what /health answered, in order").last().isEqualTo("200 {\"status\":\"UP\"}");
      assertThat(seen).allMatch(s -> s.equals("503 {\"status\":\"STARTING\"}") || s.equals("200 {\"status\":\"UP\"}"));
      assertThat(starting.toCompletionStage().toCompletableFuture().get().listenerPort("web")).isEqualTo(trafficPort);
    } finally {
      starting.toCompletionStage().toCompletableFuture().get().close().await();
      vertx.close().await();
    }
  }
}
