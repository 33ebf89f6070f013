package io.faultline.gateway.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.faultline.admin.AdminConfig;
import io.faultline.chaos.config.ChaosConfig;
import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.config.ChaosRule;
import io.faultline.chaos.config.ListenerConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The whole gateway config file: {@code admin}, {@code listeners}, {@code chaos}, {@code cluster} and
 * {@code bridge}, as ARCHITECTURE.md lists them. With no listener, one {@code http} listener named
 * {@code web} on port 3000 is assumed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GatewayConfig(
    AdminConfig admin,
    List<ListenerConfig> listeners,
    ChaosConfig chaos,
    ClusterConfig cluster,
    BridgeConfig bridge,
    String stateDir) {

  public static final String DEFAULT_LISTENER = "web";

  public GatewayConfig {
    admin = admin == null ? AdminConfig.defaults() : admin;
    listeners = listeners == null || listeners.isEmpty() ? List.of(defaultListener()) : List.copyOf(listeners);
    chaos = chaos == null ? ChaosConfig.off() : chaos;
    Set<String> names = new HashSet<>();
    for (int i = 0; i < listeners.size(); i++) {
      if (!names.add(listeners.get(i).name())) {
        throw new ChaosConfigException("listeners[" + i + "].name", "duplicate listener name " + listeners.get(i).name());
      }
    }
    if (cluster != null && Boolean.TRUE.equals(cluster.enabled())) {
      throw new ChaosConfigException("cluster.enabled", "clustering is not available in this version of Faultline yet");
    }
    if (bridge != null && Boolean.TRUE.equals(bridge.enabled())) {
      throw new ChaosConfigException("bridge.enabled", "the TCP event-bus bridge is not available in this version of Faultline yet");
    }
  }

  public static ListenerConfig defaultListener() {
    return new ListenerConfig(DEFAULT_LISTENER, "http", null, null, null, null, null, null, null, null, null);
  }

  /** The chaos config the node runs: the global one plus one rule per listener that has its own {@code chaos}. */
  public ChaosConfig effectiveChaos() {
    List<ChaosRule> rules = new ArrayList<>(chaos.rules());
    for (ListenerConfig listener : listeners) {
      if (listener.chaos() != null) {
        rules.add(listener.chaos().toRule(listener.name()));
      }
    }
    return chaos.withRules(rules);
  }

  /** The {@code cluster:} section: accepted so files written for clustered nodes load; clustering itself comes later. */
  public record ClusterConfig(Boolean enabled, Integer port, List<String> members, String nodeId, String region, String zone) {
  }

  /** The {@code bridge:} section (TCP event-bus bridge for scripts); accepted, not yet served. */
  public record BridgeConfig(Boolean enabled, String host, Integer port) {
  }
}
