package io.faultline.chaos.engine;

import io.faultline.chaos.config.ChaosConfig;
import io.faultline.chaos.config.ChaosRule;
import io.faultline.chaos.config.ChaosSections;
import io.faultline.chaos.config.SectionValues;
import io.faultline.chaos.config.TrafficShapingConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * An immutable, compiled view of one chaos config version: what every request on every protocol reads.
 *
 * <pre>
 *   request ──► enabled? ──no──► Verdict.PASS (no allocation)
 *                  │yes
 *                  ▼
 *       first matching rule ──► its profile   (sections it omits are the listener's own, then the global ones)
 *       no rule matches     ──► the listener's own profile, or the global one
 *
 *   (a listener's own chaos, the rule listener:NAME, is not one of the rules tried in order: it is
 *    the base of that listener's traffic, under whichever rule wins; a task item's rule, task:ID:INDEX
 *    matching by node alone, is not either: it lies over every profile of its node, so a task's chaos
 *    reaches all of its node's traffic, and of two tasks the one put first wins the sections both set)
 *                  │
 *                  ▼
 *       for each fault in engine order: roll its probability with the request's seeded
 *       ChaosRandom, ask the fault, add its Decision to the Verdict, stop at a terminal one
 * </pre>
 *
 * Only the sequence counter and the stateful parts (limiters) change after construction, both lock-free.
 */
public final class ChaosSnapshot {

  private final ChaosConfig config;
  private final long version;
  private final long seed;
  private final boolean enabled;
  private final Profile global;
  private final RuleMatcher[] matchers;
  private final Profile[] ruleProfiles;
  /** By rule, its profile over each listener's own chaos it can meet (empty: none); see {@link #profileFor}. */
  private final Map<String, Profile>[] layeredProfiles;
  /** Each listener's own chaos over the global config, for its traffic that no rule matches. */
  private final Map<String, Profile> listenerProfiles;
  private final StatefulParts parts;
  private final NodeContext node;
  /**
   * The decisions' count, and the count of connections reached after their handshake ({@link #nextLateDraws}): shared
   * with the snapshot before when it is the same chaos compiled again (same version, seed and config: the cluster's
   * members changed), so a seeded run's draws go on.
   */
  private final AtomicLong sequence;
  private final AtomicLong lateSequence;

  private ChaosSnapshot(ChaosConfig config, long version, long seed, Profile global, RuleMatcher[] matchers,
      Profile[] ruleProfiles, Map<String, Profile>[] layeredProfiles, Map<String, Profile> listenerProfiles, StatefulParts parts,
      NodeContext node, ChaosSnapshot previous) {
    // the same chaos compiled again for other members (ChaosState.moveTo): its draws go on
    boolean sameChaos = previous != null && previous.version == version && previous.seed == seed && previous.config.equals(config);
    this.sequence = sameChaos ? previous.sequence : new AtomicLong();
    this.lateSequence = sameChaos ? previous.lateSequence : new AtomicLong();
    this.node = node;
    this.config = config;
    this.version = version;
    this.seed = seed;
    this.global = global;
    this.matchers = matchers;
    this.ruleProfiles = ruleProfiles;
    this.layeredProfiles = layeredProfiles;
    this.listenerProfiles = listenerProfiles;
    this.parts = parts;
    this.enabled = config.enabled() && (!global.isEmpty() || ruleProfiles.length > 0 || !listenerProfiles.isEmpty());
  }

  /** Compiles {@code config} for a standalone node. */
  public static ChaosSnapshot compile(ChaosConfig config, long version, long seed, ChaosSnapshot previous,
      LongSupplier nanoClock) {
    return compile(config, version, seed, previous, nanoClock, NodeContext.standalone("local", null, null));
  }

  /**
   * Compiles {@code config} for {@code node}: rules scoped to other nodes are left out. Stateful parts
   * whose config is unchanged carry over from {@code previous}.
   */
  public static ChaosSnapshot compile(ChaosConfig config, long version, long seed, ChaosSnapshot previous,
      LongSupplier nanoClock, NodeContext node) {
    List<ChaosRule> tasks = new ArrayList<>();
    SectionValues taskLayer = SectionValues.NONE;
    for (ChaosRule rule : config.rules()) {
      if (rule.enabled() && rule.taskItem() && rule.match().appliesTo(node, seed)) {
        tasks.add(rule);
      }
    }
    for (int i = tasks.size() - 1; i >= 0; i--) {
      taskLayer = taskLayer.overlay(tasks.get(i).sections()); // the first task's sections end on top
    }
    SectionValues layerValues = taskLayer;
    ChaosSections layer = tasks.isEmpty() ? null : () -> layerValues;
    StatefulParts parts = StatefulParts.start(previous == null ? null : previous.parts, nanoClock, config, node, List.copyOf(tasks));
    Profile global = Profile.compile(top(config, layer), parts);
    Map<String, ChaosRule> own = new HashMap<>();
    for (ChaosRule rule : config.rules()) {
      String listener = rule.enabled() ? rule.ownListener() : null;
      if (listener != null) {
        own.put(listener, rule);
      }
    }
    Map<String, Profile> listenerProfiles = new HashMap<>();
    own.forEach((listener, rule) -> listenerProfiles.put(listener, Profile.compile(top(over(config, rule), layer), parts.forRule(rule.name()))));
    List<RuleMatcher> matchers = new ArrayList<>();
    List<Profile> profiles = new ArrayList<>();
    List<Map<String, Profile>> layered = new ArrayList<>();
    for (ChaosRule rule : config.rules()) {
      if (rule.enabled() && rule.ownListener() == null && !tasks.contains(rule) && rule.match().appliesTo(node, seed)) {
        matchers.add(new RuleMatcher(rule.match()));
        profiles.add(Profile.compile(top(over(config, rule), layer), parts.forRule(rule.name())));
        Map<String, Profile> over = new HashMap<>();
        own.forEach((listener, base) -> {
          if (rule.match().listener() == null || rule.match().listener().equals(listener)) {
            over.put(listener, Profile.compile(top(over(over(config, base), rule), layer), parts.forRule(rule.name(), base)));
          }
        });
        layered.add(over);
      }
    }
    @SuppressWarnings("unchecked")
    Map<String, Profile>[] layeredProfiles = layered.toArray(Map[]::new);
    return new ChaosSnapshot(config, version, seed, global, matchers.toArray(RuleMatcher[]::new),
        profiles.toArray(Profile[]::new), layeredProfiles, listenerProfiles, parts, node, previous);
  }

  /**
   * {@code top}'s sections merged over {@code base}'s, and nothing else: {@link ChaosConfig#overlay} builds a whole
   * config, which checks its every rule's name again, so compiling N rules cost N² (8,000 rules: 2.9 s on the event
   * loop, the kill switch included).
   */
  private static ChaosSections over(ChaosSections base, ChaosSections top) {
    SectionValues merged = base.sections().overlay(top.sections());
    return () -> merged;
  }

  /** {@code sections} under the task items' layer, when this node runs any (null: none). */
  private static ChaosSections top(ChaosSections sections, ChaosSections layer) {
    return layer == null ? sections : over(sections, layer);
  }

  /** The node this snapshot was compiled for. */
  public NodeContext node() {
    return node;
  }

  public ChaosConfig config() {
    return config;
  }

  public long version() {
    return version;
  }

  public long seed() {
    return seed;
  }

  /** True when chaos is on and at least one fault is configured; false means every request passes untouched. */
  public boolean enabled() {
    return enabled;
  }

  /** Connection-level shaping (max connections, connection timeout), which only the global config sets. */
  public TrafficShapingConfig connectionShaping() {
    TrafficShapingConfig shaping = config.trafficShaping();
    return config.enabled() && shaping != null && shaping.enabled() ? shaping : null;
  }

  /**
   * The live stateful pieces of {@code type} (breakers, bulkheads, rate limiters) while chaos is on, by
   * owner: {@code ""} for the global config, otherwise a rule's name. For metrics, read off the request path.
   */
  public <T> Map<String, T> parts(Class<T> type) {
    return enabled ? parts.byOwner(type) : Map.of();
  }

  /**
   * The faults in effect, for status output: those some request may meet, from the global sections, a rule
   * (that applies on this node) or a listener's own chaos; none while chaos is off (the sections set stay in
   * the config, but no request sees them). Global sections alone said none while every request a rule
   * matched was delayed or failed.
   */
  public List<String> activeFaults() {
    java.util.Set<String> types = new java.util.LinkedHashSet<>();
    if (enabled) {
      types.addAll(global.types());
      for (Profile profile : ruleProfiles) {
        types.addAll(profile.types());
      }
      listenerProfiles.values().forEach(profile -> types.addAll(profile.types()));
    }
    // connection shaping acts on connections, not requests: it said none while it refused or closed connections
    TrafficShapingConfig shaping = connectionShaping();
    if (shaping != null && shaping.maxConnections() > 0) {
      types.add("max_connections");
    }
    if (shaping != null && shaping.connectionTimeoutMs() > 0) {
      types.add("connection_timeout");
    }
    return List.copyOf(types);
  }

  public Verdict decide(RequestFacts request) {
    if (!enabled) {
      return Verdict.PASS;
    }
    Profile profile = profileFor(request);
    if (profile.isEmpty()) {
      return Verdict.PASS;
    }
    return profile.decide(request, ChaosRandom.forRequest(seed, sequence.getAndIncrement()));
  }

  /**
   * The draws of the next connection this snapshot's chaos reaches after its handshake (a WebSocket open when the
   * chaos was set), counted from 0 for each config set, so the same seed set the same way draws the same (a count of
   * every connection the listener had ever taken did not repeat). A count and a seed of their own: requests' draws
   * stay as they would be without open connections.
   */
  public ChaosRandom nextLateDraws() {
    return ChaosRandom.forRequest(seed ^ LATE_SALT, lateSequence.getAndIncrement());
  }

  /** Sets the late draws' seed apart from the requests' (any fixed odd constant would do). */
  private static final long LATE_SALT = 0x5DEECE66DL;

  /**
   * The sections in force for {@code request} while chaos is on (the first matching rule's, merged over
   * the global ones, or the global ones), or null when chaos is off. Draws nothing and counts nothing:
   * for exchanges that outlive a config version and follow its changes (a tcp connection's toxics).
   */
  public ChaosSections sectionsFor(RequestFacts request) {
    return enabled ? profileFor(request).sections() : null;
  }

  /**
   * The first matching rule's profile, over the request's listener's own chaos when it has some; with no
   * rule matching, that listener's own profile, else the global one. HashMap lookups take a null listener.
   */
  private Profile profileFor(RequestFacts request) {
    String matchPath = null; // read once, for the first rule that names a path
    for (int i = 0; i < matchers.length; i++) {
      if (matchPath == null && matchers[i].readsPath()) {
        matchPath = MatchPath.of(request.path());
      }
      if (matchers[i].matches(request, matchPath)) {
        Profile layered = layeredProfiles[i].isEmpty() ? null : layeredProfiles[i].get(request.listener());
        return layered != null ? layered : ruleProfiles[i];
      }
    }
    Profile own = listenerProfiles.isEmpty() ? null : listenerProfiles.get(request.listener());
    return own != null ? own : global;
  }
}
