package io.faultline.chaos.fault;

import java.util.List;

/**
 * The fault types decided message by message on a connection ({@link io.faultline.chaos.engine.StreamChaos}
 * and the protocol that relays the messages), beside the exchange-level ones of
 * {@link io.faultline.chaos.engine.FaultTypes}. Each is counted once per message it acts on.
 */
public final class MessageFaults {

  /** A message never delivered. */
  public static final String DROP = "message_drop";
  /** A message delivered twice. */
  public static final String DUPLICATE = "message_duplicate";
  /** A message delivered with one byte altered. */
  public static final String CORRUPT = "message_corrupt";
  /** A message held by the latency section. */
  public static final String LATENCY = MessageLatencyFault.TYPE;
  /** A message over {@code messages_per_second} dropped, or the connection closed for it. */
  public static final String RATE_LIMIT = "message_rate_limit";
  /** The connection closed by a fault: per message, after N messages or after a time. */
  public static final String DISCONNECT = "disconnect";

  /** Every type above. */
  public static final List<String> TYPES = List.of(DROP, DUPLICATE, CORRUPT, LATENCY, RATE_LIMIT, DISCONNECT);

  private MessageFaults() {
  }
}
