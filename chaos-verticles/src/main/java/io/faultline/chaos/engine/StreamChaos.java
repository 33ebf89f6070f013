package io.faultline.chaos.engine;

import io.faultline.chaos.config.LatencyConfig;
import io.faultline.chaos.config.WebSocketConfig;
import io.faultline.chaos.fault.LatencyFault;

/**
 * The per-message chaos of one message stream (a WebSocket connection), decided message by message
 * from the {@link MessageFault.Fates} its handshake got, and from the chaos in force as it changes
 * ({@link #follow}). Draws come from two generators seeded by that decision, one for each direction, so the same
 * chaos seed gives the k-th message each way the same fate however the two directions' messages interleave. Used
 * by one connection on one event loop, so it is not thread-safe.
 */
public final class StreamChaos {

  /**
   * What happens to one message: {@code drop} it, or deliver it after {@code delayMs} ({@code duplicate}:
   * twice; {@code corrupt}: with one byte or character altered); {@code disconnect} closes the
   * connection instead of delivering it, {@code disconnectAfter} right after delivering it.
   */
  public record Fate(boolean drop, boolean duplicate, boolean corrupt, long delayMs, boolean disconnect, boolean disconnectAfter) {

    public static final Fate PASS = new Fate(false, false, false, 0, false, false);

    public boolean isPass() {
      return this.equals(PASS);
    }
  }

  private static final WebSocketConfig NONE = new WebSocketConfig(false, null, null, null, null, null, null, null, null,
      null, null, null, null);

  private WebSocketConfig config;
  private LatencyConfig latencyConfig;
  private LatencyFault latency;
  private final ChaosRandom downstreamRandom;
  private final ChaosRandom upstreamRandom;
  private int messages;
  /**
   * {@code disconnect_after_messages} was reached and a message carries the disconnect: the messages decided after it,
   * before its close goes (behind a latency, say), are no second disconnect. A close the kill switch let go unsaid
   * clears it ({@link #disconnectUnsaid}), as chaos switched off does, so chaos back on disconnects at the next message.
   */
  private boolean disconnectDecided;

  public StreamChaos(MessageFault.Fates decision) {
    this(decision.websocket(), decision.latency(), decision.seed());
  }

  /** {@code websocket} and {@code latency} may each be null; draws seeded with {@code seed}. */
  public StreamChaos(WebSocketConfig websocket, LatencyConfig latency, long seed) {
    this.downstreamRandom = ChaosRandom.forRequest(seed, 0); // as the one stream was: downstream-only draws unchanged
    this.upstreamRandom = ChaosRandom.forRequest(seed, 1);
    follow(websocket, latency);
  }

  /**
   * The chaos in force changed while the stream is open: the next messages are decided by {@code websocket}
   * and {@code latency} (each may be null), from the same draws and message count, so a stream whose chaos
   * did not change is decided as if nothing had happened.
   */
  public void follow(WebSocketConfig websocket, LatencyConfig latency) {
    this.config = websocket == null ? NONE : websocket;
    if (websocket == null) {
      disconnectDecided = false;
    }
    if (!java.util.Objects.equals(latency, latencyConfig)) {
      this.latencyConfig = latency;
      this.latency = latency == null ? null : new LatencyFault(latency);
    }
  }

  /**
   * The message {@code fate} was decided for is dropped after all (the rate limit's {@code drop}): it is not counted as
   * delivered, and a disconnect decided on it is decided again at the next message. Answers its fate as a drop.
   */
  public Fate dropped(Fate fate) {
    messages--;
    if (fate.disconnectAfter()) {
      disconnectDecided = false;
    }
    return new Fate(true, false, false, 0, false, false);
  }

  /**
   * The disconnect decided last was not said (the kill switch let what waited before it go, and its close with it):
   * {@code disconnect_after_messages} is decided again at the next message once chaos is back on.
   */
  public void disconnectUnsaid() {
    disconnectDecided = false;
  }

  /** The websocket section in force (all its faults off when the connection only has latency). */
  public WebSocketConfig config() {
    return config;
  }

  /** True when messages in this direction are subject to message chaos. */
  public boolean affects(boolean downstream) {
    return downstream ? config.downstream() : config.upstream();
  }

  /** The draws of one direction, for its own choices too (which byte to corrupt). */
  public ChaosRandom random(boolean downstream) {
    return downstream ? downstreamRandom : upstreamRandom;
  }

  /**
   * Decides the next message of a direction that {@link #affects} says is subject to chaos, from that
   * direction's draws. {@code disconnect_after_messages} counts the messages delivered, of both directions together: a
   * dropped one is not (the close came after a message the client never saw, and after fewer than it was told).
   */
  public Fate next(boolean downstream) {
    ChaosRandom random = random(downstream);
    if (config.enabled() && random.chance(config.disconnectProbability())) {
      return new Fate(false, false, false, 0, true, false);
    }
    boolean drop = config.enabled() && random.chance(config.messageDropProbability());
    boolean last = false;
    if (!drop) {
      messages++;
      last = config.enabled() && config.disconnectAfterMessages() > 0 && messages >= config.disconnectAfterMessages()
          && !disconnectDecided;
      disconnectDecided |= last;
    }
    boolean duplicate = !drop && config.enabled() && random.chance(config.messageDuplicateProbability());
    boolean corrupt = !drop && config.enabled() && random.chance(config.messageCorruptProbability());
    long delay = 0;
    if (!drop && latency != null && random.chance(latencyConfig.probability())) {
      delay = latency.drawMs(random) + latencyConfig.perMessageDelayMs();
    }
    if (!drop && !duplicate && !corrupt && delay == 0 && !last) {
      return Fate.PASS;
    }
    return new Fate(drop, duplicate, corrupt, delay, false, last);
  }
}
