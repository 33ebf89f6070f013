package io.faultline.chaos.engine;

import java.util.List;

/**
 * The node a snapshot is compiled for: its id, region and zone, and the ids of the live nodes of its
 * cluster (itself alone when standalone). Rules scoped to nodes are kept or dropped against it at
 * compile time, and cluster-wide rate limits are split by the number of live nodes, so the hot path
 * never asks who it is.
 */
public record NodeContext(String id, String region, String zone, List<String> liveNodes) {

  public NodeContext {
    liveNodes = liveNodes == null || liveNodes.isEmpty() ? List.of(id) : List.copyOf(liveNodes);
  }

  public static NodeContext standalone(String id, String region, String zone) {
    return new NodeContext(id, region, zone, List.of(id));
  }

  public int clusterSize() {
    return liveNodes.size();
  }

  /**
   * Whether this node is among the {@code percent} share of live nodes picked for a blast radius: the
   * live nodes ranked by a hash of the seed and their id, the first {@code ceil(percent × count)} taken.
   * Every node computes the same ranking, so they agree on who is in without talking.
   */
  public boolean inBlastRadius(double percent, long seed) {
    // the product first, then a hair under: 28 % of 25 was 7.000000000000001 nodes, and took 8
    int take = (int) Math.ceil(percent * liveNodes.size() / 100.0 - 1e-9);
    return liveNodes.stream()
        .sorted(java.util.Comparator.comparingLong((String n) -> rank(seed, n)).thenComparing(n -> n))
        .limit(take)
        .anyMatch(id::equals);
  }

  private static long rank(long seed, String node) {
    return ChaosRandom.forRequest(seed, node.hashCode()).nextLong();
  }
}
