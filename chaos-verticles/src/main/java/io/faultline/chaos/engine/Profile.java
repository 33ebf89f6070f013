package io.faultline.chaos.engine;

import io.faultline.chaos.config.ChaosSections;
import io.faultline.chaos.fault.BandwidthFault;
import java.util.ArrayList;
import java.util.List;

/** The compiled faults of one set of sections, in engine order. */
final class Profile {

  private final FaultSpec[] specs;
  /** For each spec, the index of the earlier spec whose draw it shares ({@link FaultSpec#drawnWith}), or -1. */
  private final int[] drawnWith;
  private final ChaosSections sections;

  private Profile(FaultSpec[] specs, ChaosSections sections) {
    this.specs = specs;
    this.sections = sections;
    this.drawnWith = new int[specs.length];
    for (int i = 0; i < specs.length; i++) {
      drawnWith[i] = -1;
      for (int j = 0; j < i && specs[i].drawnWith() != null; j++) {
        if (specs[j].type().equals(specs[i].drawnWith())) {
          drawnWith[i] = j;
        }
      }
    }
    if (specs.length > Long.SIZE) { // the draws that came up are kept in one long
      throw new IllegalStateException("more than " + Long.SIZE + " faults in one profile: " + specs.length);
    }
  }

  static Profile compile(ChaosSections sections, StatefulParts parts) {
    List<FaultSpec> specs = new ArrayList<>();
    for (FaultTypes.FaultType type : FaultTypes.builtIn()) {
      FaultSpec spec = type.builder().apply(sections, parts);
      if (spec != null && spec.probability() > 0) {
        specs.add(spec);
      }
    }
    return new Profile(specs.toArray(FaultSpec[]::new), sections);
  }

  /** The sections this profile was compiled from. */
  ChaosSections sections() {
    return sections;
  }

  boolean isEmpty() {
    return specs.length == 0;
  }

  List<String> types() {
    return java.util.Arrays.stream(specs).map(FaultSpec::type).distinct().toList();
  }

  /**
   * The decisions of every fault whose probability comes up, until one ends the exchange; {@link Verdict#PASS}
   * when none applies. A cut (a partial response) ends it after its answer has been forwarded, so a bandwidth
   * limit still paces what goes before the cut: with both set, the body came at once and cut, unthrottled.
   */
  Verdict decide(RequestFacts request, ChaosRandom random) {
    Verdict verdict = Verdict.PASS;
    long cameUp = 0; // bit i: spec i's draw came up
    for (int i = 0; i < specs.length; i++) {
      FaultSpec spec = specs[i];
      Terminal ended = verdict.terminal();
      if (ended != null) {
        if (!(ended instanceof Terminal.Cut)) {
          break;
        }
        if (!spec.type().equals(BandwidthFault.TYPE)) {
          continue;
        }
      }
      int partner = drawnWith[i];
      if (partner >= 0 ? (cameUp & 1L << partner) == 0 : !random.chance(spec.probability())) {
        continue;
      }
      cameUp |= 1L << i;
      Decision decision = spec.fault().decide(request, random);
      if (decision == Decision.PASS) {
        continue;
      }
      if (verdict == Verdict.PASS) {
        verdict = new Verdict();
      }
      verdict.add(decision);
    }
    return verdict;
  }
}
