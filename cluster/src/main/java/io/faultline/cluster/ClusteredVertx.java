package io.faultline.cluster;

import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.listener.BindFailures;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.SocketException;
import java.net.UnknownHostException;

/** Starts a Vert.x instance that is a member of the Hazelcast cluster a {@link ClusterConfig} describes. */
public final class ClusteredVertx {

  /** A clustered Vert.x and its cluster manager (which the {@link ClusterVerticle} needs). */
  public record Member(Vertx vertx, HazelcastClusterManager manager) {
  }

  private ClusteredVertx() {
  }

  /**
   * Outside Kubernetes the node binds and announces {@code cluster.host}, so it must be an address of this
   * machine: Hazelcast would otherwise stop with pages of "no matching network interface found".
   */
  private static void localHost(ClusterConfig cluster) {
    if (cluster.kubernetes()) {
      return;
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(cluster.host());
    } catch (UnknownHostException e) {
      throw new ChaosConfigException("cluster.host", cluster.host() + " does not resolve");
    }
    try {
      if (!address.isLoopbackAddress() && NetworkInterface.getByInetAddress(address) == null) {
        throw new ChaosConfigException("cluster.host", cluster.host() + " is no address of this machine: give one of its own"
            + " (the one its peers reach it at), or 127.0.0.1 for nodes on one machine");
      }
    } catch (SocketException e) {
      throw new ChaosConfigException("cluster.host", "cannot read this machine's addresses: " + e.getMessage());
    }
    if (cluster.port() != 0) {
      // a port another program holds stops Hazelcast with pages of traces: tried first (the bind is let go at once)
      try (ServerSocket probe = new ServerSocket()) {
        probe.bind(new InetSocketAddress(address, cluster.port()));
      } catch (IOException e) {
        Throwable named = BindFailures.named(e, "cluster", cluster.host(), cluster.port());
        if (named instanceof ChaosConfigException refused) {
          throw refused;
        }
      }
    }
  }

  /** The event bus binds the cluster host; under Kubernetes discovery a loopback host would isolate the pod, so its own address is used. */
  private static String eventBusHost(ClusterConfig cluster) {
    if (cluster.kubernetes() && cluster.host().equals("127.0.0.1")) {
      try {
        return InetAddress.getLocalHost().getHostAddress();
      } catch (UnknownHostException e) {
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
    try {
      localHost(cluster);
    } catch (ChaosConfigException e) {
      return Future.failedFuture(e);
    }
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
