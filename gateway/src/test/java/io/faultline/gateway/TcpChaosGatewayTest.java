package io.faultline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import eu.rekawek.toxiproxy.ToxiproxyClient;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import io.faultline.chaos.testing.Upstreams;
import io.faultline.gateway.config.Flag;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Toxics are ordinary chaos config: they come from scenarios, orchestrations and the GraphQL API as well as
 * from the Toxiproxy API, and in a cluster a toxic added on one node acts on the same listener of every node.
 * The lower bounds are the toxic's own; a round trip without it takes a few ms.
 */
class TcpChaosGatewayTest {

  private static final String SLOW = "{\"toxics\": [{\"type\": \"latency\", \"attributes\": {\"latency\": 300}}]}";

  private final Vertx upstreamVertx = Vertx.vertx();
  private final int echo = Upstreams.echoTcp(upstreamVertx);

  private long trip(int port) throws Exception {
    try (EchoClient client = new EchoClient(port)) {
      EchoClient.Trip trip = client.trip(10);
      assertThat(trip.complete(10)).isTrue();
      return trip.ms();
    }
  }

  @Test
  void aScenarioAndTheGraphQlApiSetToxicsLikeAnyOtherSection() throws Exception {
    try (GatewayFixture gw = new GatewayFixture(Map.of(Flag.TCP_UPSTREAM, "127.0.0.1:" + echo, Flag.TCP_PORT, "0"))) {
      int port = gw.gateway.listenerPort("tcp");
      assertThat(gw.postJson("/api/chaos/scenarios", "{\"name\": \"slow_db\", \"config\": {\"tcp\": " + SLOW + "}}").statusCode())
          .isEqualTo(201);
      gw.post("/api/chaos/scenarios/slow_db");
      assertThat(trip(port)).isGreaterThanOrEqualTo(300L);
      assertThat(gw.status().getJsonArray("active_faults")).contains("tcp");
      gw.post("/api/chaos/scenarios/stop");
      assertThat(trip(port)).as("the scenario's toxics are gone").isLessThan(300L);

      JsonObject answer = gw.admin(HttpMethod.POST, "/graphql").sendJsonObject(new JsonObject().put("query", """
          mutation { setSection(section: "tcp", config: {toxics: [{type: "latency", attributes: {latency: 300}}]}) { version }
                     enable { enabled } }""")).await().bodyAsJsonObject();
      assertThat(answer.getJsonObject("data")).as(answer.encode()).isNotNull();
      assertThat(trip(port)).isGreaterThanOrEqualTo(300L);
    } finally {
      upstreamVertx.close().await();
    }
  }

  @Test
  void anOrchestrationStepRunsToxicsForItsDurationAndABadToxicIsNamedByItsPath() throws Exception {
    try (GatewayFixture gw = new GatewayFixture(Map.of(Flag.TCP_UPSTREAM, "127.0.0.1:" + echo, Flag.TCP_PORT, "0"))) {
      int port = gw.gateway.listenerPort("tcp");
      String yaml = """
          name: db_under_stress
          steps:
            - name: slow_db
              scenario: {config: {tcp: {toxics: [{type: latency, attributes: {latency: 300}}]}}}
              duration_seconds: 2
          """;
      var started = gw.admin(HttpMethod.POST, "/api/chaos/orchestration/start").sendBuffer(Buffer.buffer(yaml)).await();
      assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
      ClusterFixture.eventually(() -> gw.status().getJsonObject("config").containsKey("tcp"), "the step's toxics in force");
      assertThat(trip(port)).isGreaterThanOrEqualTo(300L);
      ClusterFixture.eventually(() -> !gw.get("/api/chaos/orchestration/status").bodyAsJsonObject().getBoolean("is_running"),
          "the orchestration ends");
      assertThat(trip(port)).as("the config before it is back").isLessThan(300L);

      JsonObject invalid = gw.admin(HttpMethod.POST, "/api/chaos/orchestration/validate").sendBuffer(Buffer.buffer(
          yaml.replace("latency: 300", "latency: -1"))).await().bodyAsJsonObject();
      assertThat(invalid.getBoolean("valid")).isFalse();
      assertThat(invalid.getJsonArray("problems").encode()).contains("steps[0].scenario.config.tcp.toxics[0].attributes.latency");
    } finally {
      upstreamVertx.close().await();
    }
  }

  @Test
  void aToxicAddedOnOneNodeActsOnTheSameListenerOfEveryNode() throws Exception {
    Map<Flag, String> flags = Map.of(Flag.TCP_UPSTREAM, "127.0.0.1:" + echo, Flag.TCP_PORT, "0", Flag.TOXIPROXY_PORT, "0");
    try (ClusterFixture cluster = new ClusterFixture()) {
      Gateway n1 = cluster.start(0, flags);
      Gateway n2 = cluster.start(1, flags);
      ClusterFixture.eventually(() -> cluster.get(n1, "/api/cluster/nodes").getJsonArray("nodes").size() == 2, "two nodes");
      new ToxiproxyClient("127.0.0.1", n1.toxiproxyPort()).getProxy("tcp").toxics().latency("slow", ToxicDirection.DOWNSTREAM, 300);
      // The Toxiproxy API adds the rule, then switches chaos on: two changes, which reach n2 one after the other.
      ClusterFixture.eventually(() -> cluster.get(n2, "/api/chaos/rules").getJsonArray("rules").size() == 1
          && cluster.get(n2, "/api/chaos/status").getBoolean("enabled"), "n2 has the toxic, and chaos on");
      assertThat(trip(n2.listenerPort("tcp"))).isGreaterThanOrEqualTo(300L);
      assertThat(new ToxiproxyClient("127.0.0.1", n2.toxiproxyPort()).getProxy("tcp").toxics().getAll())
          .as("n2's Toxiproxy API shows it too").hasSize(1);
    } finally {
      upstreamVertx.close().await(30, TimeUnit.SECONDS);
    }
  }
}
