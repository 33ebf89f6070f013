package io.faultline.chaos.config;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Chaos for {@code tcp} listeners, with Toxiproxy's toxics ({@link TcpToxic}: latency, bandwidth,
 * slow_close, timeout, reset_peer, slicer, limit_data), each acting on its {@code stream}, in the order
 * listed (the order Toxiproxy chains them); and {@code down}: the listener refuses connections (it stops
 * listening and closes the ones open), which is Toxiproxy's disabled proxy. Other protocols ignore it.
 */
public record TcpConfig(Boolean enabled, Boolean down, List<TcpToxic> toxics) {

  public TcpConfig {
    enabled = Check.flag(enabled, true);
    down = Check.flag(down, false);
    toxics = Check.elements(toxics, "toxics");
    Set<String> names = new HashSet<>();
    for (int i = 0; i < toxics.size(); i++) {
      if (!names.add(toxics.get(i).name())) {
        throw new ChaosConfigException("toxics[" + i + "].name", "duplicate toxic name " + toxics.get(i).name());
      }
    }
  }

  /** True when the listener is to refuse connections. */
  public boolean refusing() {
    return enabled && down;
  }

  /** The toxics in force (none when switched off). */
  public List<TcpToxic> active() {
    return enabled ? toxics : List.of();
  }

  /** The toxic called {@code name}, or null. */
  public TcpToxic toxic(String name) {
    return toxics.stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
  }
}
