package io.faultline.chaos.engine;

import io.faultline.chaos.config.TcpConfig;
import io.faultline.chaos.config.TcpToxic;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which toxics act on one tcp connection. Each toxic's {@code toxicity} is drawn once for the connection,
 * the first time the connection meets it, from a stream seeded by the connection's decision, so the same
 * chaos seed and the same connections give the same draws. A toxic that changes (attributes, toxicity)
 * is a new one and is drawn again; one that stays keeps its draw, as a Toxiproxy link keeps running a
 * toxic nobody touched. Used by one connection on one event loop, so it is not thread-safe.
 */
public final class ToxicDraws {

  private final long seed;
  private final ChaosRandom random;
  private final Map<TcpToxic, Boolean> drawn = new HashMap<>();
  private int streams;

  public ToxicDraws(long seed) {
    this.seed = seed;
    this.random = ChaosRandom.forRequest(seed, 0);
  }

  /** The toxics of {@code tcp} (null: none) that act on this connection now, in their order. */
  public List<TcpToxic> applying(TcpConfig tcp) {
    List<TcpToxic> out = new ArrayList<>();
    Map<TcpToxic, Boolean> next = new HashMap<>();
    for (TcpToxic toxic : tcp == null ? List.<TcpToxic>of() : tcp.active()) {
      Boolean applies = drawn.get(toxic);
      if (applies == null) {
        applies = random.chance(toxic.toxicity());
      }
      next.put(toxic, applies);
      if (applies) {
        out.add(toxic);
      }
    }
    drawn.clear(); // a toxic removed and added again is drawn again
    drawn.putAll(next);
    return out;
  }

  /** A generator of its own for one toxic's draws (jitter, slice sizes), seeded from the connection's. */
  public ChaosRandom stream() {
    return ChaosRandom.forRequest(seed, ++streams);
  }
}
