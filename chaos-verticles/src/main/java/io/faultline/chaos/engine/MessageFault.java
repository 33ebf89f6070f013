package io.faultline.chaos.engine;

import io.faultline.chaos.config.LatencyConfig;
import io.faultline.chaos.config.WebSocketConfig;

/**
 * The per-message family: decisions taken for an exchange that act on each message of its stream
 * rather than on the exchange as a whole. They are gathered into the verdict's {@link MessagePlan},
 * which the protocols that carry messages (gRPC streams, WebSocket connections) apply.
 */
public sealed interface MessageFault extends Decision permits MessageFault.Delay, MessageFault.AbortAfter, MessageFault.Fates,
    MessageFault.Toxics {

  /** {@code plan} with this decision added (each kind says how, so a new kind must). */
  MessagePlan addTo(MessagePlan plan);

  @Override
  default <T> void accept(Decision.Visitor<T> visitor, T target) {
    visitor.message(target, this);
  }

  /** Hold each response message of a stream {@code ms} before relaying it. */
  record Delay(String type, long ms) implements MessageFault {

    @Override
    public Stage stage() {
      return Stage.ACT;
    }

    @Override
    public MessagePlan addTo(MessagePlan plan) {
      return new MessagePlan(plan.delayMs() + ms, plan.abort(), plan.fates(), plan.toxics());
    }
  }

  /**
   * Relay {@code messages} response messages of a stream, then end it with status {@code code}. Not counted
   * when decided: a stream that ends sooner is never aborted, so the abort is counted when it happens.
   */
  record AbortAfter(String type, int messages, String code) implements MessageFault {

    @Override
    public Stage stage() {
      return Stage.NONE;
    }

    @Override
    public MessagePlan addTo(MessagePlan plan) {
      return new MessagePlan(plan.delayMs(), this, plan.fates(), plan.toxics());
    }
  }

  /**
   * Decide each message of a connection with {@link StreamChaos}: per-message latency from {@code latency}
   * (may be null), the message and connection faults of {@code websocket} (may be null), draws seeded
   * with {@code seed}. Not counted itself: each message fault is counted as it happens.
   */
  record Fates(WebSocketConfig websocket, LatencyConfig latency, long seed) implements MessageFault {

    @Override
    public String type() {
      return null;
    }

    @Override
    public Stage stage() {
      return Stage.NONE;
    }

    @Override
    public MessagePlan addTo(MessagePlan plan) {
      return new MessagePlan(plan.delayMs(), plan.abort(), this, plan.toxics());
    }
  }

  /**
   * Run the toxics of {@code tcp} on a tcp connection: which of them apply is drawn per connection, each
   * with its toxicity, from a stream seeded with {@code seed} ({@link ToxicDraws}). Not counted itself:
   * each toxic is counted as it starts acting on the connection.
   */
  record Toxics(io.faultline.chaos.config.TcpConfig tcp, long seed) implements MessageFault {

    @Override
    public String type() {
      return null;
    }

    @Override
    public Stage stage() {
      return Stage.NONE;
    }

    @Override
    public MessagePlan addTo(MessagePlan plan) {
      return new MessagePlan(plan.delayMs(), plan.abort(), plan.fates(), this);
    }
  }
}
