package io.faultline.chaos.config;

import java.util.List;
import java.util.Locale;

/**
 * WebSocket chaos: the handshake delayed by {@code handshake_delay_ms}; messages flowing in
 * {@code direction} ({@code upstream} = client to service, {@code downstream} = service to client, or
 * {@code both}) dropped, duplicated or corrupted, each with its own probability, and limited to
 * {@code messages_per_second} ({@code rate_limit_action}: {@code delay} them, {@code drop} the excess
 * or {@code close} with 1008); connections closed per message ({@code disconnect_probability}), after
 * {@code disconnect_after_messages} messages or {@code disconnect_after_ms}, with {@code close_code}
 * and {@code close_reason} ({@code close_code: 1006} closes the TCP connection with no close frame, which
 * is what a client sees as 1006). Per-message latency comes from the {@code latency} section.
 */
public record WebSocketConfig(
    Boolean enabled,
    String direction,
    Long handshakeDelayMs,
    Double messageDropProbability,
    Double messageDuplicateProbability,
    Double messageCorruptProbability,
    Double messagesPerSecond,
    String rateLimitAction,
    Double disconnectProbability,
    Integer disconnectAfterMessages,
    Long disconnectAfterMs,
    Integer closeCode,
    String closeReason) {

  public static final List<String> DIRECTIONS = List.of("upstream", "downstream", "both");
  public static final List<String> RATE_LIMIT_ACTIONS = List.of("delay", "drop", "close");

  /** The close code that means "no close frame, just close the connection". */
  public static final int ABRUPT = 1006;

  public WebSocketConfig {
    enabled = Check.flag(enabled, true);
    direction = oneOf(direction, "direction", DIRECTIONS, "both");
    handshakeDelayMs = Check.nonNegative(handshakeDelayMs, "handshake_delay_ms", 0L, Check.HOUR_MS);
    messageDropProbability = Check.probability(messageDropProbability, "message_drop_probability", 0.0);
    messageDuplicateProbability = Check.probability(messageDuplicateProbability, "message_duplicate_probability", 0.0);
    messageCorruptProbability = Check.probability(messageCorruptProbability, "message_corrupt_probability", 0.0);
    double rate = messagesPerSecond == null ? 0.0 : messagesPerSecond;
    if (rate != 0.0) {
      Check.rate(rate, "messages_per_second", 0.001, 1e9); // 0 is no limit
    }
    messagesPerSecond = rate;
    rateLimitAction = oneOf(rateLimitAction, "rate_limit_action", RATE_LIMIT_ACTIONS, "delay");
    disconnectProbability = Check.probability(disconnectProbability, "disconnect_probability", 0.0);
    disconnectAfterMessages = Check.nonNegative(disconnectAfterMessages, "disconnect_after_messages", 0, Check.MAX_COUNT);
    disconnectAfterMs = Check.nonNegative(disconnectAfterMs, "disconnect_after_ms", 0L, Check.DAY_MS);
    int code = closeCode == null ? 1001 : closeCode;
    if (!(code >= 1000 && code <= 1014 && code != 1004 && code != 1005 || code >= 3000 && code <= 4999)) {
      throw new ChaosConfigException("close_code",
          "must be a WebSocket close code (1000-1003, 1006 for an abrupt close, 1007-1014, or 3000-4999), got " + closeCode);
    }
    closeCode = code;
    closeReason = closeReason == null ? "faultline: injected disconnect" : closeReason;
    if (closeReason.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 123) {
      throw new ChaosConfigException("close_reason", "must be at most 123 bytes of UTF-8 (the close frame limit)");
    }
  }

  /** True when messages travelling downstream (service to client) are subject to message chaos. */
  public boolean downstream() {
    return !direction.equals("upstream");
  }

  /** True when messages travelling upstream (client to service) are subject to message chaos. */
  public boolean upstream() {
    return !direction.equals("downstream");
  }

  /** True when a fault that acts on an open connection's messages (or closes it) is set: not the handshake's delay. */
  public boolean actsOnMessages() {
    return enabled && (messageDropProbability > 0 || messageDuplicateProbability > 0 || messageCorruptProbability > 0
        || messagesPerSecond > 0 || disconnectProbability > 0 || disconnectAfterMessages > 0 || disconnectAfterMs > 0);
  }

  /** True when any message-level or connection-level fault is set. */
  public boolean active() {
    return enabled && (handshakeDelayMs > 0 || messageDropProbability > 0 || messageDuplicateProbability > 0
        || messageCorruptProbability > 0 || messagesPerSecond > 0 || disconnectProbability > 0
        || disconnectAfterMessages > 0 || disconnectAfterMs > 0);
  }

  private static String oneOf(String value, String field, List<String> allowed, String dflt) {
    if (value == null) {
      return dflt;
    }
    String v = value.toLowerCase(Locale.ROOT);
    if (!allowed.contains(v)) {
      throw new ChaosConfigException(field, "must be one of " + allowed + ", got " + value);
    }
    return v;
  }
}
