package io.faultline.chaos.engine;

/**
 * One kind of failure. A fault only decides: it returns a {@link Decision} and does no I/O. The engine
 * has already rolled its probability; {@code random} is for the fault's own choices (which status code,
 * how long a delay) so that every draw comes from the seeded generator.
 */
@FunctionalInterface
public interface Fault {

  Decision decide(RequestFacts request, ChaosRandom random);
}
