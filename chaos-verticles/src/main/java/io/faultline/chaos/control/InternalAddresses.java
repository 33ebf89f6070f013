package io.faultline.chaos.control;

/**
 * Event-bus addresses that nodes use among themselves or within one node, never documented for users
 * and never carried by a bridge: {@link Addresses} holds the public ones.
 */
public final class InternalAddresses {

  /** Cluster-internal: a notice that the cluster's agreed chaos state changed; each node re-reads it from the shared map. */
  public static final String CLUSTER_STATE = "faultline.cluster.state";

  /** Local: replaces the baseline that reset returns to, and applies it (sent by the config reloader). */
  public static final String CHAOS_REBASE = "faultline.chaos.rebase";

  /** Local to a node: each heartbeat it made ({@code {"ok": bool}}), for metrics. */
  public static final String HEARTBEAT = "faultline.cluster.heartbeat";

  /**
   * Local to a node: answers ({@code {"name"}}) once the listener has acted on the chaos state installed
   * before the request was sent (a tcp listener that went down closed its port, one back up listens again).
   */
  public static final String LISTENERS_SETTLE = "faultline.listeners.settle";

  private InternalAddresses() {
  }
}
