package io.faultline.chaos.engine;

/**
 * A fault with the fields every fault has: its registered type name and the probability it applies. {@code drawnWith}:
 * the type of an earlier fault whose draw this one shares, when both come from one section's probability (a latency's
 * per-message delay comes up with its fixed delay or not at all); null for a draw of its own.
 */
public record FaultSpec(String type, double probability, Fault fault, String drawnWith) {

  public FaultSpec {
    if (!(probability >= 0 && probability <= 1)) {
      throw new IllegalArgumentException("probability must be between 0 and 1: " + probability);
    }
  }

  public FaultSpec(String type, double probability, Fault fault) {
    this(type, probability, fault, null);
  }
}
