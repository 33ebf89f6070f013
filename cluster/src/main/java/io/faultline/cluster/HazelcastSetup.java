package io.faultline.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;

/**
 * The Hazelcast member config a node runs with: explicit TCP-IP join on the configured address (never
 * multicast, which would pick any interface and talk to the whole network), or Kubernetes discovery
 * when asked, and failure detection tuned from the cluster section.
 */
final class HazelcastSetup {

  private HazelcastSetup() {
  }

  static Config config(ClusterConfig cluster) {
    Config config = ConfigUtil.loadConfig(); // keeps the __vertx.* structures Vert.x needs
    config.setClusterName(cluster.name());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "jdk");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.max.wait.seconds.before.join", "0");
    long heartbeatSeconds = Math.max(1, cluster.heartbeatIntervalMs() / 1_000);
    config.setProperty("hazelcast.heartbeat.interval.seconds", Long.toString(heartbeatSeconds));
    config.setProperty("hazelcast.max.no.heartbeat.seconds", Long.toString(Math.max(2, cluster.failureTimeoutMs() / 1_000)));
    config.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
    config.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
    // Faultline's own maps are small: two synchronous backups keep them through the loss of two members,
    // including a member that dies while partitions are still migrating after a join.
    config.addMapConfig(new MapConfig("faultline.*").setBackupCount(2));
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(cluster.port()).setPortAutoIncrement(cluster.port() == 0);
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (cluster.kubernetes()) {
      config.setProperty("hazelcast.socket.bind.any", "true");
      // the Service's endpoints only: with no service named, every pod of the namespace was taken for a member
      join.getKubernetesConfig().setEnabled(true).setProperty("service-name", cluster.kubernetesService());
      join.getTcpIpConfig().setEnabled(false);
    } else {
      config.setProperty("hazelcast.socket.bind.any", "false");
      network.setPublicAddress(cluster.host());
      network.getInterfaces().setEnabled(true).clear().addInterface(cluster.host());
      var tcp = join.getTcpIpConfig().setEnabled(true).clear().setConnectionTimeoutSeconds(1);
      cluster.members().forEach(tcp::addMember);
    }
    return config;
  }
}
