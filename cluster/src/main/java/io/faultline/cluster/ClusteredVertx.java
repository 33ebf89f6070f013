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

  /** The event bus binds the cluster host; under Kubernetes discovery a loopback host would isolate the pod, so its own address is used. */
  private static String eventBusHost(ClusterConfig cluster) {
    if (cluster.kubernetes() && cluster.host().equals("127.0.0.1")) {
      try {
        return java.net.InetAddress.getLocalHost().getHostAddress();
      } catch (java.net.UnknownHostException e) {
        return cluster.host();
      }
    }
    return cluster.host();
  }

  /** {@code metrics} may be null (no metrics SPI). */
  public static Future<Member> start(ClusterConfig cluster, VertxOptions options, io.vertx.core.spi.VertxMetricsFactory metrics) {
    return start(cluster, options, metrics, null);
  }

  /** {@code metrics} and {@code tracer} may be null (no metrics or tracing SPI). */
  public static Future<Member> start(ClusterConfig cluster, VertxOptions options, io.vertx.core.spi.VertxMetricsFactory metrics,
      io.vertx.core.spi.VertxTracerFactory tracer) {
    HazelcastClusterManager manager = new HazelcastClusterManager(HazelcastSetup.config(cluster));
    String host = eventBusHost(cluster);
    options.setEventBusOptions(new EventBusOptions()
        .setHost(host)
        .setPort(0)
        .setClusterPublicHost(host));
    var builder = Vertx.builder().with(options).withClusterManager(manager);
    if (metrics != null) {
      builder.withMetrics(metrics);
    }
    if (tracer != null) {
      builder.withTracer(tracer);
    }
    return builder.buildClustered().map(vertx -> new Member(vertx, manager));
  }
}
