package io.faultline.chaos.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.config.TcpConfig;
import io.faultline.chaos.config.TcpToxic;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Toxicity drawn per connection from a seeded stream, and kept for toxics that stay while the config changes. */
class ToxicDrawsTest {

  private static TcpToxic latency(String name, double toxicity, long ms) {
    return new TcpToxic(name, "latency", null, toxicity, Map.of("latency", ms));
  }

  private static List<Boolean> applied(long seed, int connections, TcpConfig tcp) {
    List<Boolean> out = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      out.add(!new ToxicDraws(ChaosRandom.forRequest(seed, i).nextLong()).applying(tcp).isEmpty());
    }
    return out;
  }

  @Test
  void theSameSeedDrawsTheSameConnectionsAndToxicityIsTheShareThatGetsIt() {
    TcpConfig tcp = new TcpConfig(null, null, List.of(latency("l", 0.3, 10)));
    List<Boolean> first = applied(42, 2000, tcp);
    assertThat(applied(42, 2000, tcp)).isEqualTo(first);
    assertThat(applied(43, 2000, tcp)).isNotEqualTo(first);
    long hit = first.stream().filter(b -> b).count();
    // 2000 draws at p = 0.3: mean 600, sd about 20.5; 450..750 is over 7 sd either way.
    assertThat(hit).isBetween(450L, 750L);
  }

  @Test
  void aToxicThatStaysKeepsItsDrawAndAChangedOneIsDrawnAgain() {
    TcpToxic kept = latency("kept", 0.5, 10);
    int changedDraws = 0;
    int keptFlips = 0;
    for (int seed = 0; seed < 200; seed++) {
      ToxicDraws draws = new ToxicDraws(seed);
      boolean before = draws.applying(new TcpConfig(null, null, List.of(kept))).contains(kept);
      List<TcpToxic> after = draws.applying(new TcpConfig(null, null, List.of(kept, latency("added", 1.0, 5))));
      if (after.contains(kept) != before) {
        keptFlips++;
      }
      assertThat(after).as("toxicity 1 always applies").contains(latency("added", 1.0, 5));
      TcpToxic changed = latency("kept", 0.5, 20);
      boolean again = draws.applying(new TcpConfig(null, null, List.of(changed))).contains(changed);
      changedDraws += again != before ? 1 : 0;
    }
    assertThat(keptFlips).as("an untouched toxic keeps its draw").isZero();
    // A changed toxic is drawn afresh: over 200 connections at p = 0.5 some outcomes differ (all equal: 2^-200).
    assertThat(changedDraws).isPositive();
  }

  @Test
  void aSectionSwitchedOffOrMissingAppliesNothing() {
    assertThat(new ToxicDraws(1).applying(null)).isEmpty();
    assertThat(new ToxicDraws(1).applying(new TcpConfig(false, null, List.of(latency("l", 1, 5))))).isEmpty();
  }
}
