package io.faultline.chaos.engine;

import io.faultline.chaos.config.ChaosRule;
import io.faultline.chaos.config.ChaosSections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The stateful pieces of a snapshot (rate-limit buckets, breakers, bulkheads), keyed by their owner
 * (the global config or a rule) and their section config. A new snapshot takes over the pieces whose
 * config did not change, so editing latency does not refill a rate limit or close a breaker; a rule
 * that inherits a global section shares the global piece.
 */
public final class StatefulParts {

  private final Map<List<Object>, Object> previous;
  private final Map<List<Object>, Object> current;
  private final LongSupplier nanoClock;
  private final ChaosSections global;
  private final String owner;
  private final NodeContext node;
  /** The listener's own chaos this rule's profile lies over (null: none). */
  private final ChaosRule base;
  /** The task items' rules that lie over every profile on this node ({@code ChaosSnapshot}). */
  private final List<ChaosRule> tasks;

  private StatefulParts(Map<List<Object>, Object> previous, Map<List<Object>, Object> current, LongSupplier nanoClock,
      ChaosSections global, String owner, NodeContext node, ChaosRule base, List<ChaosRule> tasks) {
    this.previous = previous;
    this.current = current;
    this.nanoClock = nanoClock;
    this.global = global;
    this.owner = owner;
    this.node = node;
    this.base = base;
    this.tasks = tasks;
  }

  /** The parts of a snapshot of {@code global}, whose profiles all lie under the task items' rules {@code tasks}. */
  static StatefulParts start(StatefulParts previous, LongSupplier nanoClock, ChaosSections global, NodeContext node,
      List<ChaosRule> tasks) {
    // a different cluster size re-splits the cluster-wide limits only: they are keyed by it (sharedBy); every other piece
    // goes on (a node joining or leaving closed every breaker and refilled every bucket)
    return new StatefulParts(previous == null ? Map.of() : previous.current, new HashMap<>(), nanoClock, global, "", node, null, tasks);
  }

  StatefulParts forRule(String rule) {
    return new StatefulParts(previous, current, nanoClock, global, rule, node, null, tasks);
  }

  /**
   * The parts of rule {@code rule} over a listener's own chaos {@code base}: a section it takes from
   * {@code base} shares that listener's piece, as one it takes from the global config shares the global one.
   */
  StatefulParts forRule(String rule, ChaosRule base) {
    return new StatefulParts(previous, current, nanoClock, global, rule, node, base, tasks);
  }

  /** The number of live nodes sharing cluster-wide limits (1 when standalone). */
  public int clusterSize() {
    return node.clusterSize();
  }

  public LongSupplier nanoClock() {
    return nanoClock;
  }

  /** The piece for {@code section}, reused from the previous snapshot when the same owner had the same config. */
  public <T> T shared(Object section, Supplier<T> create) {
    return shared(section, List.of(ownerOf(section), section), create);
  }

  /** As {@link #shared}, for one of several pieces a section has ({@code kind}: which one). */
  public <T> T shared(Object section, String kind, Supplier<T> create) {
    return shared(section, List.of(ownerOf(section), section, kind), create);
  }

  /**
   * As {@link #shared}, for a piece sized by the cluster's members (a cluster-wide limit split between them): reused
   * while their number is the same, made anew for another.
   */
  public <T> T sharedByMembers(Object section, String kind, Supplier<T> create) {
    return shared(section, List.of(ownerOf(section), section, kind, clusterSize()), create);
  }

  @SuppressWarnings("unchecked")
  private <T> T shared(Object section, List<Object> key, Supplier<T> create) {
    Object part = current.get(key);
    if (part == null) {
      part = previous.get(key);
      if (part == null) {
        part = create.get();
      }
      current.put(key, part);
    }
    return (T) part;
  }

  /**
   * As {@link #shared}, but when the owner's config of the section changed, the piece of {@code type} it had
   * goes on, {@code adapted} to the new config, instead of a new one: what a bulkhead's requests hold and
   * wait for stays counted against its new limits (a new bulkhead let the old one's requests run beside
   * its own, over either cap, and out of its gauges).
   */
  public <T> T carried(Object section, Class<T> type, Supplier<T> create, java.util.function.Consumer<T> adapt) {
    String owner = ownerOf(section);
    List<Object> key = List.of(owner, section);
    Object part = current.get(key);
    if (part == null) {
      part = previous.get(key);
      if (part == null) {
        T before = previous.entrySet().stream()
            .filter(e -> e.getKey().get(0).equals(owner) && type.isInstance(e.getValue()) && !current.containsValue(e.getValue()))
            .map(e -> type.cast(e.getValue())).findFirst().orElse(null);
        if (before != null) {
          adapt.accept(before);
          part = before;
        } else {
          part = create.get();
        }
      }
      current.put(key, part);
    }
    return type.cast(part);
  }

  /** Every piece of {@code type}, by owner: {@code ""} for the global config, otherwise a rule's name. */
  <T> Map<String, T> byOwner(Class<T> type) {
    Map<String, T> out = new TreeMap<>();
    current.forEach((key, part) -> {
      if (type.isInstance(part)) {
        out.put((String) key.get(0), type.cast(part));
      }
    });
    return out;
  }

  private String ownerOf(Object section) {
    if (global.sections().holds(section)) {
      return "";
    }
    for (ChaosRule task : tasks) { // a task's section is the task's, one piece for all its node's traffic
      if (task.sections().holds(section)) {
        return task.name();
      }
    }
    return base != null && base.sections().holds(section) ? base.name() : owner;
  }
}
