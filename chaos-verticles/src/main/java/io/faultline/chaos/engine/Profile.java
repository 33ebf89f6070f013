package io.faultline.chaos.engine;

import io.faultline.chaos.config.ChaosSections;
import java.util.ArrayList;
import java.util.List;

/** The compiled faults of one set of sections, in engine order. */
final class Profile {

  private final FaultSpec[] specs;

  private Profile(FaultSpec[] specs) {
    this.specs = specs;
  }

  static Profile compile(ChaosSections sections, StatefulParts parts) {
    List<FaultSpec> specs = new ArrayList<>();
    for (FaultTypes.FaultType type : FaultTypes.builtIn()) {
      FaultSpec spec = type.builder().apply(sections, parts);
      if (spec != null && spec.probability() > 0) {
        specs.add(spec);
      }
    }
    return new Profile(specs.toArray(FaultSpec[]::new));
  }

  boolean isEmpty() {
    return specs.length == 0;
  }

  List<String> types() {
    return java.util.Arrays.stream(specs).map(FaultSpec::type).distinct().toList();
  }

  Verdict decide(RequestFacts request, ChaosRandom random) {
    Verdict verdict = new Verdict();
    for (FaultSpec spec : specs) {
      if (random.chance(spec.probability()) && verdict.add(spec.fault().decide(request, random))) {
        break;
      }
    }
    return verdict;
  }
}
