package io.faultline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The registry forgets a node that failed or left, forget_after_ms after its last heartbeat. A node started without a
 * fixed id comes back under a new one, and its old record stayed "failed" for good: the nodes list, the
 * faultline_cluster_nodes{status="failed"} series and the critical FaultlineNodeDown alert with it.
 */
class ClusterNodeRecordsTest {

  private final ClusterFixture cluster = new ClusterFixture("  forget_after_ms: 5000\n");

  @AfterEach
  void stop() {
    cluster.close();
  }

  private String status(Gateway asked, String id) {
    JsonArray nodes = cluster.get(asked, "/api/cluster/nodes").getJsonArray("nodes");
    return nodes.stream().map(JsonObject.class::cast).filter(n -> id.equals(n.getString("id"))).map(n -> n.getString("status"))
        .findFirst().orElse("forgotten");
  }

  private double failedSeries(Gateway asked) {
    String metrics = cluster.web.get(asked.adminPort(), "127.0.0.1", "/metrics").send().await().bodyAsString();
    return MetricsTest.valueOrNaN(metrics, "faultline_cluster_nodes{status=\"failed\"}");
  }

  @Test
  void aNodeThatFailedOrLeftIsForgottenAfterForgetAfterMs() throws Exception {
    List<Gateway> two = cluster.startTwo();
    Gateway n1 = two.get(0);
    Gateway n3 = cluster.start(2);
    ClusterFixture.eventually(() -> status(n1, "n3").equals("active"), "n3 active");

    cluster.kill(two.get(1));
    ClusterFixture.eventually(() -> status(n1, "n2").equals("failed"), "n2 reported failed");
    ClusterFixture.eventually(() -> status(n1, "n2").equals("forgotten"), "n2 forgotten");
    assertThat(status(n3, "n2")).as("on every node: the record is the cluster's").isEqualTo("forgotten");
    ClusterFixture.eventually(() -> failedSeries(n1) == 0, "no failed node in the metrics");

    cluster.nodes.remove(n3);
    n3.close().await();
    ClusterFixture.eventually(() -> status(n1, "n3").equals("left"), "n3 reported left");
    ClusterFixture.eventually(() -> status(n1, "n3").equals("forgotten"), "n3 forgotten");
    assertThat(status(n1, "n1")).as("the node that answers").isEqualTo("active");
  }
}
