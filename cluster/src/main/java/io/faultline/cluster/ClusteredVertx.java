package io.faultline.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/** Starts a Vert.x instance that is a member of the Hazelcast cluster a {@link ClusterConfig} describes. */
public final class ClusteredVertx {

  /** A clustered Vert.x and its cluster manager (which the {@link ClusterVerticle} needs). */
  public record Member(Vertx vertx, HazelcastClusterManager manager) {
  }

  private ClusteredVertx() {
  }

  public static Future<Member> start(ClusterConfig cluster, VertxOptions options) {
    HazelcastClusterManager manager = new HazelcastClusterManager(HazelcastSetup.config(cluster));
    options.setEventBusOptions(new EventBusOptions()
        .setHost(cluster.host())
        .setPort(0)
        .setClusterPublicHost(cluster.host()));
    return Vertx.builder().with(options).withClusterManager(manager).buildClustered().map(vertx -> new Member(vertx, manager));
  }
}
