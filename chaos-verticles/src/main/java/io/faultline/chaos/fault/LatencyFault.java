package io.faultline.chaos.fault;

import io.faultline.chaos.config.LatencyConfig;
import io.faultline.chaos.engine.ChaosRandom;
import io.faultline.chaos.engine.Decision;
import io.faultline.chaos.engine.Fault;
import io.faultline.chaos.engine.RequestFacts;

/**
 * The {@code LatencyFault} delays the request by {@code fixed_delay_ms}, or by a uniform draw from
 * {@code random_delay_range_ms}, spread by ± {@code jitter_percent}. On a connection (WebSocket) it is
 * each message that is delayed so, by the {@link WebSocketFault}, and the handshake is not.
 */
public final class LatencyFault implements Fault {

  public static final String TYPE = "latency";

  private final long fixedMs;
  private final long minMs;
  private final long maxMs;
  private final double jitter;

  public LatencyFault(LatencyConfig config) {
    this.fixedMs = config.fixedDelayMs();
    boolean ranged = config.randomDelayRangeMs() != null;
    this.minMs = ranged ? config.randomDelayRangeMs().get(0) : fixedMs;
    this.maxMs = ranged ? config.randomDelayRangeMs().get(1) : fixedMs;
    this.jitter = config.jitterPercent() / 100.0;
  }

  @Override
  public Decision decide(RequestFacts request, ChaosRandom random) {
    return request.shape() == RequestFacts.Shape.CONNECTION ? Decision.PASS : Decision.delay(TYPE, drawMs(random));
  }

  /** One delay, in ms. */
  public long drawMs(ChaosRandom random) {
    long base = minMs == maxMs ? minMs : random.between(minMs, maxMs);
    if (jitter > 0 && base > 0) {
      double spread = base * jitter;
      base = Math.max(0, Math.round(base - spread + random.nextDouble() * 2 * spread));
    }
    return base;
  }
}
