package io.faultline.gateway;

import static io.faultline.gateway.ClusterFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Config reloads in a cluster whose nodes each watch their own copy of the file, as pods mount one ConfigMap. */
class ClusterReloadTest {

  private final ClusterFixture cluster = new ClusterFixture();

  @AfterEach
  void stop() {
    cluster.close();
  }

  /**
   * A file change the cluster applied from one node's copy is not applied again when another node's copy changes the same
   * way later (a ConfigMap reaches each pod within a minute or so): each node applied it for the whole cluster, and the
   * second undid what came between, here the kill switch, so every request failed again.
   */
  @Test
  void aChangeAppliedFromOneCopyIsNotAppliedAgainFromAnotherCopyLater() throws Exception {
    String base = Files.readString(cluster.file()) + "chaos:\n  enabled: false\n";
    Path first = Files.createTempFile("node1", ".yaml");
    Path second = Files.createTempFile("node2", ".yaml");
    Files.writeString(first, base);
    Files.writeString(second, base);
    Gateway n1 = cluster.startWatching(0, first);
    Gateway n2 = cluster.startWatching(1, second);
    eventually(() -> cluster.get(n2, "/api/cluster/nodes").getJsonArray("nodes").size() == 2, "two nodes");
    String failing = base.replace("chaos:\n  enabled: false\n",
        "chaos:\n  enabled: true\n  fault_injection: {http_errors: [503], http_error_probability: 1.0}\n");
    Files.writeString(first, failing);
    eventually(() -> cluster.traffic(n2) == 503, "n1's reload reaches n2");
    cluster.post(n2, "/api/chaos/disable", ""); // the kill switch, after the reload
    eventually(() -> cluster.traffic(n1) == 200, "chaos off everywhere");
    Files.writeString(second, failing); // n2's copy catches up
    eventually(() -> cluster.get(n2, "/api/chaos/changes?limit=50").getJsonArray("changes").stream()
        .anyMatch(c -> "faultline.chaos.disable".equals(((io.vertx.core.json.JsonObject) c).getString("address"))), "the switch logged");
    Thread.sleep(3_000); // three looks at n2's copy
    assertThat(cluster.get(n1, "/api/chaos/status").getBoolean("enabled")).as("the kill switch stands").isFalse();
    assertThat(cluster.traffic(n1)).isEqualTo(200);
    assertThat(cluster.traffic(n2)).isEqualTo(200);
    // a change of its own on n2's copy is applied as ever
    Files.writeString(second, failing.replace("[503]", "[502]"));
    eventually(() -> cluster.get(n1, "/api/chaos/config").getJsonObject("fault_injection").getJsonArray("http_errors").getInteger(0) == 502,
        "n2's own change applied");
  }
}
