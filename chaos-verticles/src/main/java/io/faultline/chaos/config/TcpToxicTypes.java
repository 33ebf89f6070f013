package io.faultline.chaos.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every toxic type a {@code tcp} listener takes, with Toxiproxy's names, attributes and units. Each
 * attribute is a whole number from 0 (or {@code min}) to its ceiling; a toxic that leaves one out gets 0,
 * as in Toxiproxy. What each toxic does to the bytes is the tcp protocol's ({@code protocols/tcp}); this
 * list is what the config accepts.
 */
public final class TcpToxicTypes {

  /** One attribute: its name, unit (for messages and the README) and bounds. */
  public record Attribute(String name, String unit, long min, long max) {
  }

  /** One toxic type: its name and its attributes, in the order Toxiproxy lists them. */
  public record Type(String name, List<Attribute> attributes) {

    /** The attribute called {@code name}, or null. */
    public Attribute attribute(String name) {
      for (Attribute a : attributes) {
        if (a.name().equals(name)) {
          return a;
        }
      }
      return null;
    }

    public List<String> attributeNames() {
      return attributes.stream().map(Attribute::name).toList();
    }
  }

  private static final long KB_PER_SECOND_MAX = 1_000_000_000L; // 10^12 B/s, the bandwidth ceiling of every section
  private static final long BYTES_MAX = 1_000_000_000_000_000L; // 1 PB

  public static final String LATENCY = "latency";
  public static final String BANDWIDTH = "bandwidth";
  public static final String SLOW_CLOSE = "slow_close";
  public static final String TIMEOUT = "timeout";
  public static final String RESET_PEER = "reset_peer";
  public static final String SLICER = "slicer";
  public static final String LIMIT_DATA = "limit_data";
  /** Toxiproxy's toxic that does nothing (its tests and clients add one to check the toxic API itself). */
  public static final String NOOP = "noop";

  private static final List<Type> ALL = List.of(
      new Type(LATENCY, List.of(new Attribute("latency", "ms", 0, Check.HOUR_MS), new Attribute("jitter", "ms", 0, Check.HOUR_MS))),
      new Type(BANDWIDTH, List.of(new Attribute("rate", "KB/s", 0, KB_PER_SECOND_MAX))),
      new Type(SLOW_CLOSE, List.of(new Attribute("delay", "ms", 0, Check.HOUR_MS))),
      new Type(TIMEOUT, List.of(new Attribute("timeout", "ms", 0, Check.DAY_MS))),
      new Type(RESET_PEER, List.of(new Attribute("timeout", "ms", 0, Check.DAY_MS))),
      // Toxiproxy splits a chunk in halves until the pieces are near average_size: 0 would never end.
      new Type(SLICER, List.of(new Attribute("average_size", "bytes", 1, Check.MAX_COUNT),
          new Attribute("size_variation", "bytes", 0, Check.MAX_COUNT), new Attribute("delay", "µs", 0, Check.HOUR_MS * 1000))),
      new Type(LIMIT_DATA, List.of(new Attribute("bytes", "bytes", 0, BYTES_MAX))),
      new Type(NOOP, List.of()));

  private static final Map<String, Type> BY_NAME = ALL.stream()
      .collect(Collectors.toMap(Type::name, Function.identity(), (a, b) -> a, LinkedHashMap::new));

  private TcpToxicTypes() {
  }

  public static List<Type> all() {
    return ALL;
  }

  public static List<String> names() {
    return List.copyOf(BY_NAME.keySet());
  }

  /** The type called {@code name}, or null. */
  public static Type find(String name) {
    return name == null ? null : BY_NAME.get(name);
  }
}
