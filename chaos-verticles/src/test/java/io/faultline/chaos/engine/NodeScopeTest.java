package io.faultline.chaos.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.config.ChaosConfig;
import io.faultline.chaos.config.ChaosJson;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Rules scoped to nodes, blast radius by percentage, and cluster-wide rate limits split between live nodes. */
class NodeScopeTest {

  private static final ChaosSnapshotTest.Facts REQUEST = new ChaosSnapshotTest.Facts("/x", "GET");

  private static ChaosSnapshot on(String json, NodeContext node, long seed) {
    return ChaosSnapshot.compile(ChaosJson.parse(json, ChaosConfig.class, ""), 1, seed, null, () -> 0L, node);
  }

  private static boolean fails(ChaosSnapshot snapshot) {
    return snapshot.decide(REQUEST).terminal() != null;
  }

  private static final String SCOPED = """
      {"enabled": true, "rules": [{"name": "r", "match": {%s},
        "fault_injection": {"http_errors": [500], "http_error_probability": 1}}]}""";

  @Test
  void rulesApplyOnlyOnTheNodesRegionsAndZonesTheyName() {
    List<String> live = List.of("a", "b", "c");
    NodeContext a = new NodeContext("a", "us", "1", live);
    NodeContext b = new NodeContext("b", "eu", "2", live);
    assertThat(fails(on(SCOPED.formatted("\"nodes\": [\"a\"]"), a, 1))).isTrue();
    assertThat(fails(on(SCOPED.formatted("\"nodes\": [\"a\"]"), b, 1))).isFalse();
    assertThat(fails(on(SCOPED.formatted("\"regions\": [\"eu\"]"), b, 1))).isTrue();
    assertThat(fails(on(SCOPED.formatted("\"regions\": [\"eu\"]"), a, 1))).isFalse();
    assertThat(fails(on(SCOPED.formatted("\"zones\": [\"1\", \"3\"]"), a, 1))).isTrue();
    assertThat(fails(on(SCOPED.formatted("\"zones\": [\"1\", \"3\"]"), b, 1))).isFalse();
  }

  @Test
  void aBlastRadiusPicksThatShareOfLiveNodesTheSameOnEveryNodeAndBySeed() {
    List<String> live = IntStream.range(0, 10).mapToObj(i -> "node-" + i).toList();
    String json = SCOPED.formatted("\"node_percent\": 30");
    List<String> picked = live.stream().filter(id -> fails(on(json, new NodeContext(id, null, null, live), 7))).toList();
    assertThat(picked).hasSize(3);
    // Each node decides alone; asking again (another node's view of the same cluster) gives the same three.
    assertThat(live.stream().filter(id -> new NodeContext(id, null, null, live).inBlastRadius(30, 7)).toList()).isEqualTo(picked);
    List<String> otherSeed = live.stream().filter(id -> new NodeContext(id, null, null, live).inBlastRadius(30, 8)).toList();
    assertThat(otherSeed).hasSize(3);
    // the share of a count, not one more: 28 % of 25 nodes is 7 (it was 7.000000000000001 in doubles, and took 8), 14 % of 50 too
    for (int[] c : new int[][] {{28, 25, 7}, {14, 50, 7}, {30, 10, 3}, {1, 10, 1}, {100, 7, 7}}) {
      List<String> nodes = IntStream.range(0, c[1]).mapToObj(i -> "n" + i).toList();
      assertThat(nodes.stream().filter(id -> new NodeContext(id, null, null, nodes).inBlastRadius(c[0], 7)).count())
          .as(c[0] + " % of " + c[1]).isEqualTo(c[2]);
    }
  }

  @Test
  void aClusterRateLimitIsSplitBetweenTheLiveNodes() {
    String json = "{\"enabled\": true, \"rate_limit\": {\"requests_per_second\": 30, \"burst_size\": 30, \"scope\": \"cluster\"}}";
    // The clock stands still, so only the burst is available: 30 for one node, 10 for each of three.
    assertThat(admitted(on(json, NodeContext.standalone("a", null, null), 1))).isEqualTo(30);
    assertThat(admitted(on(json, new NodeContext("a", null, null, List.of("a", "b", "c")), 1))).isEqualTo(10);
    String node = "{\"enabled\": true, \"rate_limit\": {\"requests_per_second\": 30, \"burst_size\": 30}}";
    assertThat(admitted(on(node, new NodeContext("a", null, null, List.of("a", "b", "c")), 1))).isEqualTo(30);
  }

  /**
   * A node joining or leaving re-splits only the cluster-wide limits: a node's own bucket keeps what it spent, and a
   * seeded run's draws go on where they were. Every breaker, bucket and bulkhead was made anew, and the draws began
   * again from the first request's.
   */
  @Test
  void aChangeOfMembersReSplitsOnlyTheClusterWideLimits() {
    String json = "{\"enabled\": true, \"rate_limit\": {\"requests_per_second\": 30, \"burst_size\": 30}, \"rules\": [{\"name\": \"c\","
        + " \"match\": {\"path\": \"/c\"}, \"rate_limit\": {\"requests_per_second\": 30, \"burst_size\": 30, \"scope\": \"cluster\"}},"
        + " {\"name\": \"p\", \"match\": {\"path\": \"/p\"}, \"rate_limit\": {\"requests_per_second\": 1000, \"burst_size\": 1000,"
        + " \"scope\": \"cluster\", \"per_ip\": true, \"per_ip_requests_per_second\": 3}}]}";
    ChaosSnapshotTest.Facts perClient = new ChaosSnapshotTest.Facts("/p", "GET");
    io.faultline.chaos.state.ChaosState state = new io.faultline.chaos.state.ChaosState(
        ChaosJson.parse(json, ChaosConfig.class, ""), () -> 0L, 7);
    state.moveTo(NodeContext.standalone("a", null, null));
    assertThat(admitted(state.snapshot())).as("the node's own bucket: its burst").isEqualTo(30);
    ChaosSnapshotTest.Facts cluster = new ChaosSnapshotTest.Facts("/c", "GET");
    assertThat(state.snapshot().decide(cluster).terminal()).isNull();
    long drawn = state.snapshot().nextLateDraws().nextLong();
    assertThat(admitted(state.snapshot(), perClient)).as("the client's own bucket").isEqualTo(3);
    state.moveTo(new NodeContext("a", null, null, List.of("a", "b")));
    assertThat(admitted(state.snapshot(), perClient)).as("a client's bucket is the node's: spent still").isZero();
    assertThat(admitted(state.snapshot())).as("spent before the other node came").isZero();
    int clusterAdmitted = 0;
    for (int i = 0; i < 100; i++) {
      clusterAdmitted += state.snapshot().decide(cluster).terminal() == null ? 1 : 0;
    }
    assertThat(clusterAdmitted).as("the cluster-wide burst, split anew between two").isEqualTo(15);
    assertThat(state.snapshot().nextLateDraws().nextLong()).as("the draws go on").isNotEqualTo(drawn);
  }

  private static int admitted(ChaosSnapshot snapshot) {
    return admitted(snapshot, REQUEST);
  }

  private static int admitted(ChaosSnapshot snapshot, RequestFacts request) {
    int n = 0;
    for (int i = 0; i < 100; i++) {
      n += snapshot.decide(request).terminal() != null ? 0 : 1;
    }
    return n;
  }
}
