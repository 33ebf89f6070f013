package io.faultline.chaos.engine;

/** A fault with the fields every fault has: its registered type name and the probability it applies. */
public record FaultSpec(String type, double probability, Fault fault) {

  public FaultSpec {
    if (!(probability >= 0 && probability <= 1)) {
      throw new IllegalArgumentException("probability must be between 0 and 1: " + probability);
    }
  }
}
