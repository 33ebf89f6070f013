package io.faultline.protocol.websocket;

import io.faultline.chaos.config.ChaosSections;
import io.faultline.chaos.config.LatencyConfig;
import io.faultline.chaos.config.WebSocketConfig;
import io.faultline.chaos.engine.ChaosSnapshot;
import io.faultline.chaos.engine.MessageFault;
import io.faultline.chaos.engine.RequestFacts;
import io.faultline.chaos.engine.StreamChaos;
import io.faultline.chaos.state.ChaosState;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The message chaos of one open WebSocket connection as the chaos state changes: a section set, chaos
 * switched on or a rule added while the connection is open acts on its next message, as a tcp
 * connection's toxics do (a connection kept the chaos of its handshake for its whole life, so a live feed
 * never saw a change). Checking costs one volatile read a message; the sections in force for the
 * connection are looked up again only when the state changed.
 */
final class Following {

  private final ChaosState state;
  private final RequestFacts facts;
  /** Called once, when chaos first reaches a connection its handshake left untouched (it is counted from then on). */
  private final Runnable reached;
  private Consumer<WebSocketConfig> changed = config -> { };
  private ChaosSnapshot seen;
  private StreamChaos chaos;
  /** The sections the chaos was last given (each may be null). */
  private WebSocketConfig websocket;
  private LatencyConfig latency;

  /**
   * {@code handshake}: the message chaos the handshake decided (null when none). Chaos that reaches the connection later
   * draws what the snapshot in force then gives the next connection it reaches ({@link ChaosSnapshot#nextLateDraws}).
   */
  Following(ChaosState state, RequestFacts facts, MessageFault.Fates handshake, Runnable reached) {
    this.state = state;
    this.facts = facts;
    this.reached = reached;
    if (handshake != null) {
      this.chaos = new StreamChaos(handshake);
      this.websocket = handshake.websocket();
      this.latency = handshake.latency();
    }
  }

  /** Hears the connection's websocket section each time it changes (its disconnect_after_ms). */
  void onChange(Consumer<WebSocketConfig> listener) {
    this.changed = listener;
  }

  /** Whether chaos is on: once off (the kill switch) nothing of it applies, and what waits goes at once. */
  boolean chaosOn() {
    return state.snapshot().enabled();
  }

  /** The connection's message chaos now (null: none has reached it); one volatile read unless the state changed. */
  StreamChaos current() {
    ChaosSnapshot now = state.snapshot();
    if (now != seen) {
      replan(now);
    }
    return chaos;
  }

  /** As the engine hands a connection its message chaos ({@code WebSocketFault}): the websocket section (its direction too) and an active latency section. */
  private void replan(ChaosSnapshot now) {
    seen = now;
    ChaosSections sections = now.sectionsFor(facts);
    if (sections == null) {
      // chaos off: the lanes pass everything. What is in force when it comes back on is taken as a change,
      // even the same sections: a disconnect_after_ms that fell due meanwhile is scheduled again
      websocket = null;
      latency = null;
      if (chaos != null) {
        chaos.follow(null, null); // so chaos back on with neither section leaves nothing of the old ones
      }
      return;
    }
    LatencyConfig lat = sections.latency() != null && sections.latency().active() ? sections.latency() : null;
    WebSocketConfig ws = sections.websocket() != null && (sections.websocket().actsOnMessages() || lat != null) ? sections.websocket() : null;
    if (Objects.equals(ws, websocket) && Objects.equals(lat, latency)) {
      return;
    }
    websocket = ws;
    latency = lat;
    if (chaos == null) {
      if (ws == null && lat == null) {
        return;
      }
      chaos = new StreamChaos(ws, lat, now.nextLateDraws().nextLong());
      reached.run();
    } else {
      chaos.follow(ws, lat);
    }
    changed.accept(chaos.config());
  }
}
