package io.faultline.chaos.config;

/**
 * Network shaping: {@code bandwidth_limit_bps} (bytes per second, request and response bodies),
 * {@code packet_loss_percent} (share of requests whose connection is lost mid-transfer),
 * {@code max_connections} (connections beyond it are closed on arrival) and
 * {@code connection_timeout_ms} (client connections are closed this long after they open).
 * Zero means "no limit" for each.
 */
public record TrafficShapingConfig(
    Boolean enabled,
    Long bandwidthLimitBps,
    Double packetLossPercent,
    Integer maxConnections,
    Long connectionTimeoutMs) {

  public TrafficShapingConfig {
    enabled = Check.flag(enabled, true);
    bandwidthLimitBps = Check.nonNegative(bandwidthLimitBps, "bandwidth_limit_bps", 0L, 1_000_000_000_000L);
    packetLossPercent = Check.percent(packetLossPercent, "packet_loss_percent", 0.0);
    maxConnections = Check.nonNegative(maxConnections, "max_connections", 0, Check.MAX_COUNT);
    connectionTimeoutMs = Check.nonNegative(connectionTimeoutMs, "connection_timeout_ms", 0L, Check.DAY_MS);
  }
}
