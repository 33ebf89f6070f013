package io.faultline.chaos.engine;

/**
 * The {@link MessageFault}s of one exchange, gathered: extra delay before each response message, the
 * abort after some messages, the per-message fates of a connection and the toxics of a tcp connection
 * (each null or 0 when not decided).
 */
public record MessagePlan(long delayMs, MessageFault.AbortAfter abort, MessageFault.Fates fates, MessageFault.Toxics toxics) {

  /** No per-message chaos. */
  public static final MessagePlan NONE = new MessagePlan(0, null, null, null);

  public boolean isEmpty() {
    return delayMs == 0 && abort == null && fates == null && toxics == null;
  }
}
