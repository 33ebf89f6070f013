package io.faultline.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.faultline.chaos.config.ChaosConfigException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code cluster:} section. {@code port} is this node's Hazelcast port and {@code members} its peers
 * ({@code host:port}, TCP-IP join; multicast stays off); {@code host} is the address the node binds and
 * announces (127.0.0.1 unless a real network is meant). {@code node_id}, {@code region} and
 * {@code zone} identify the node for the registry and for node-scoped chaos. Heartbeats go every
 * {@code heartbeat_interval_ms}; Hazelcast declares a silent member dead after
 * {@code failure_timeout_ms}, which bounds how long a leader failover takes. {@code kubernetes: true}
 * finds the members through Hazelcast's Kubernetes discovery instead: the endpoints of the headless
 * Service {@code kubernetes_service}. The record of a node that left, or failed, is forgotten {@code forget_after_ms}
 * after its last heartbeat (15 minutes by default): a node started without a fixed id comes back under a new one, and
 * its old record stayed "failed" for good, the node-down alert firing with it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClusterConfig(
    Boolean enabled,
    String host,
    Integer port,
    List<String> members,
    String nodeId,
    String region,
    String zone,
    Long heartbeatIntervalMs,
    Long failureTimeoutMs,
    String name,
    Boolean kubernetes,
    String kubernetesService,
    Long forgetAfterMs) {

  public ClusterConfig {
    enabled = enabled != null && enabled;
    host = host == null ? "127.0.0.1" : host;
    port = port == null ? 5701 : port;
    if (port < 0 || port > 65535) {
      throw new ChaosConfigException("port", "must be between 0 and 65535, got " + port);
    }
    List<String> checked = new ArrayList<>();
    for (int i = 0; members != null && i < members.size(); i++) {
      String member = members.get(i) == null ? "" : members.get(i).trim();
      if (!member.matches("[^\\s:]+:\\d{1,5}")) {
        throw new ChaosConfigException("members[" + i + "]", "must be host:port (one port, no ranges), got " + members.get(i));
      }
      int memberPort = Integer.parseInt(member.substring(member.lastIndexOf(':') + 1));
      if (memberPort < 1 || memberPort > 65535) { // 70000 was taken, and the node ran alone
        throw new ChaosConfigException("members[" + i + "]", "the port must be from 1 to 65535, got " + members.get(i));
      }
      checked.add(member);
    }
    members = List.copyOf(checked);
    if (nodeId != null && !nodeId.matches("[A-Za-z0-9_.-]{1,64}")) {
      throw new ChaosConfigException("node_id", "must be 1-64 letters, digits, '_', '-' or '.', got " + nodeId);
    }
    region = region == null ? "local" : region;
    zone = zone == null ? "a" : zone;
    heartbeatIntervalMs = heartbeatIntervalMs == null ? 1_000L : heartbeatIntervalMs;
    if (heartbeatIntervalMs < 100 || heartbeatIntervalMs > 60_000) {
      throw new ChaosConfigException("heartbeat_interval_ms", "must be between 100 and 60000, got " + heartbeatIntervalMs);
    }
    failureTimeoutMs = failureTimeoutMs == null ? 10_000L : failureTimeoutMs;
    if (failureTimeoutMs < 2_000 || failureTimeoutMs < 2 * heartbeatIntervalMs || failureTimeoutMs > 600_000) {
      throw new ChaosConfigException("failure_timeout_ms",
          "must be at least 2000 and twice heartbeat_interval_ms, and at most 600000, got " + failureTimeoutMs);
    }
    forgetAfterMs = forgetAfterMs == null ? 900_000L : forgetAfterMs;
    if (forgetAfterMs < 1_000 || forgetAfterMs > 604_800_000L) {
      throw new ChaosConfigException("forget_after_ms", "must be between 1000 and 604800000 (a week), got " + forgetAfterMs);
    }
    name = name == null ? "faultline" : name;
    kubernetes = kubernetes != null && kubernetes;
    if (kubernetes && (kubernetesService == null || kubernetesService.isBlank())) {
      // without it Hazelcast's discovery takes every pod of the namespace for a member, and sends its
      // member handshake to each one's port: the services under test among them
      throw new ChaosConfigException("kubernetes_service", "is required with kubernetes: true: the headless Service whose"
          + " endpoints are the Faultline pods (deploy/kubernetes/faultline.yaml's is faultline-hazelcast)");
    }
    if (kubernetesService != null && !kubernetes) {
      throw new ChaosConfigException("kubernetes_service", "is used only with kubernetes: true");
    }
  }

  public static ClusterConfig off() {
    return new ClusterConfig(false, null, null, null, null, null, null, null, null, null, null, null, null);
  }
}
