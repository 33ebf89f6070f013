package io.faultline.protocol.tcp.toxic;

import io.faultline.chaos.config.TcpToxic;
import io.faultline.chaos.config.TcpToxicTypes;
import io.faultline.chaos.engine.ChaosRandom;
import java.util.Map;
import java.util.function.BiFunction;

/** Every toxic a tcp listener runs, by type name, built from its config and a generator of its own. */
public final class Toxics {

  private static final Map<String, BiFunction<TcpToxic, ChaosRandom, Toxic>> BUILT_IN = Map.of(
      TcpToxicTypes.LATENCY, (c, random) -> new LatencyToxic(c.attribute("latency"), c.attribute("jitter"), random),
      TcpToxicTypes.BANDWIDTH, (c, random) -> BandwidthToxic.kilobytesPerSecond(c.attribute("rate")),
      TcpToxicTypes.SLOW_CLOSE, (c, random) -> new SlowCloseToxic(c.attribute("delay")),
      TcpToxicTypes.TIMEOUT, (c, random) -> new TimeoutToxic(c.attribute("timeout")),
      TcpToxicTypes.RESET_PEER, (c, random) -> new ResetPeerToxic(c.attribute("timeout")),
      TcpToxicTypes.SLICER, (c, random) -> new SlicerToxic((int) c.attribute("average_size"), (int) c.attribute("size_variation"),
          c.attribute("delay"), random),
      TcpToxicTypes.LIMIT_DATA, (c, random) -> new LimitDataToxic(c.attribute("bytes")),
      TcpToxicTypes.NOOP, (c, random) -> (chunk, out) -> out.add(chunk));

  private Toxics() {
  }

  /** The toxic {@code config} describes; {@code random} draws its own choices (jitter, slice sizes). */
  public static Toxic create(TcpToxic config, ChaosRandom random) {
    BiFunction<TcpToxic, ChaosRandom, Toxic> factory = BUILT_IN.get(config.type());
    if (factory == null) {
      throw new IllegalArgumentException("no toxic of type " + config.type()); // the config accepts only the types above
    }
    return factory.apply(config, random);
  }

  /** The whole milliseconds until {@code chunk} is due ({@code 0} when it is due now): when an earlier toxic lets it go. */
  static long msUntil(Chunk chunk, LinkControl link) {
    return Math.max(0, (chunk.dueNanos() - link.nanoTime() + 999_999) / 1_000_000);
  }
}
