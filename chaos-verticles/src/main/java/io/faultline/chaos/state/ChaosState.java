package io.faultline.chaos.state;

import io.faultline.chaos.config.ChaosConfig;
import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.config.ChaosRule;
import io.faultline.chaos.config.Scenario;
import io.faultline.chaos.config.Scenarios;
import io.faultline.chaos.engine.ChaosSnapshot;
import io.faultline.chaos.engine.NodeContext;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The chaos state of one node: the active config, the baseline that {@code reset} returns to, the
 * active scenario and the saved scenarios. Every change builds a new {@link ChaosSnapshot} and swaps
 * it in; readers on the hot path only do a volatile read of {@link #snapshot()}. Writers are
 * serialised (the control verticle is the only one in normal operation), and a change that fails
 * validation leaves everything as it was.
 */
public final class ChaosState {

  private final LongSupplier nanoClock;
  private final long defaultSeed;
  private final Map<String, Scenario> saved = new LinkedHashMap<>();
  /** The number of each saved scenario's last change (a save, a delete, an undo), from one count: see {@link #lastChange}. */
  private final Map<String, Long> changedAt = new HashMap<>();
  private long scenarioChanges;
  private volatile ChaosSnapshot snapshot;
  private ChaosConfig baseline;
  private ChaosConfig beforeScenario;
  private String scenario;
  private NodeContext node = NodeContext.standalone("local", null, null);
  private BiConsumer<Replica, Replica> replicator;
  /**
   * Local changes handed to the replicator so far, and how many of them the cluster has answered
   * ({@link #shared}, in order). While some are unanswered, states other nodes made are not adopted, since
   * adopting one would drop the local change until the cluster's merge of it comes back.
   */
  private long handed;
  private long answered;
  /** The last change the cluster could not store (its place among those answered, 0: none) and why. */
  private long failedAt;
  private Throwable failedWith;
  /** Who waits for the cluster to answer a change ({@link #replicatedSince}), by the count of changes handed when they asked. */
  private final java.util.ArrayDeque<Waiter> waiting = new java.util.ArrayDeque<>();

  private record Waiter(long handed, CompletableFuture<Void> done) {
  }

  /**
   * Told of every snapshot swap; held weakly, so a watcher nobody holds any more (an undeployed verticle's)
   * drops out by itself. Guarded by this state's lock.
   */
  private final java.util.Set<Consumer<ChaosSnapshot>> watchers =
      java.util.Collections.newSetFromMap(new java.util.WeakHashMap<>());

  /**
   * Everything another node needs to take over this node's chaos state: the running config with its
   * effective seed, the active scenario and what stopping it restores, and the version.
   */
  public record Replica(ChaosConfig config, String scenario, ChaosConfig beforeScenario, long version) {
  }

  public ChaosState(ChaosConfig initial) {
    this(initial, System::nanoTime, new SecureRandom().nextLong());
  }

  public ChaosState(ChaosConfig initial, LongSupplier nanoClock, long defaultSeed) {
    this.nanoClock = nanoClock;
    this.defaultSeed = defaultSeed;
    this.baseline = initial;
    install(resolve(initial), initial.scenario(), 1);
    beforeScenario = unscenario(initial);
  }

  /** Set while a reset installs its snapshot: stateful parts (limiters, breakers, bulkheads) start over. */
  private boolean freshParts;

  /** The current snapshot: a volatile read, safe from any thread. */
  public ChaosSnapshot snapshot() {
    return snapshot;
  }

  public synchronized ChaosConfig config() {
    return snapshot.config();
  }

  public synchronized String scenario() {
    return scenario;
  }

  public synchronized long version() {
    return snapshot.version();
  }

  /** Replaces the whole config (and so ends any active scenario). */
  public synchronized ChaosSnapshot set(ChaosConfig next) {
    ChaosConfig resolved = resolve(next);
    beforeScenario = unscenario(next);
    return install(resolved, next.scenario(), version() + 1);
  }

  /**
   * What stopping the active scenario returns to, to put back later with {@link #restore} (null when no
   * scenario is active).
   */
  public synchronized ChaosConfig beforeScenario() {
    return scenario == null ? null : beforeScenario;
  }

  /**
   * Puts back a whole config read earlier, with what stopping its scenario returned to then
   * ({@link #beforeScenario}): a run that ends puts the state back as it found it, so stopping a scenario
   * started before the run still returns to the config from before that scenario.
   */
  public synchronized ChaosSnapshot restore(ChaosConfig config, ChaosConfig before) {
    if (config.scenario() != null && !knows(config.scenario())) {
      // deleted since it was read (during the run): the config read holds its sections as they were, and goes back as
      // it is, under no scenario (looked up, it failed the run's end, which left the run's own chaos on)
      ChaosConfig unnamed = config.withScenario(null);
      beforeScenario = null;
      return install(unnamed, null, version() + 1);
    }
    ChaosConfig resolved = resolve(config);
    beforeScenario = config.scenario() == null ? null : before != null ? before : unscenario(config);
    return install(resolved, config.scenario(), version() + 1);
  }

  private boolean knows(String scenario) {
    try {
      find(scenario);
      return true;
    } catch (NotFound e) {
      return false;
    }
  }

  /**
   * Sets the seed alone (null: none, the node's own default): the active scenario, what stopping it returns to and
   * everything else stay as they are (a whole config set back with a new seed ended what the scenario returned to).
   */
  public synchronized ChaosSnapshot setSeed(Long seed) {
    return install(config().withSeed(seed), scenario, version() + 1);
  }

  public synchronized ChaosSnapshot setSection(String section, Object value) {
    return install(config().withSection(section, value), scenario, version() + 1);
  }

  /**
   * The master switch. To the cluster it is a change of the switch even when this node already shows it
   * that way: a node that had not yet taken in another's scenario start still stops chaos everywhere when
   * its kill switch is pressed after that start (merged as "no change", the start won and chaos stayed on).
   */
  public synchronized ChaosSnapshot enable(boolean on) {
    Replica was = replicator == null ? null : replica();
    Replica base = was == null ? null : new Replica(was.config().withEnabled(!on), was.scenario(), was.beforeScenario(), was.version());
    return install(config().withEnabled(on), scenario, version() + 1, base);
  }

  /** Back to the baseline: the config the node was started (or last reloaded) with. */
  public synchronized ChaosSnapshot reset() {
    beforeScenario = unscenario(baseline);
    // a reset starts over: breakers closed, buckets full, bulkheads empty, as at start-up, so a seeded replay
    // after it decides the same (an open breaker carried over stayed open until its timeout)
    freshParts = true;
    try {
      return install(resolve(baseline), baseline.scenario(), version() + 1);
    } finally {
      freshParts = false;
    }
  }

  /**
   * Makes {@code config} the new baseline and applies it (a reload of the config file). The own chaos of a listener
   * the file does not speak for (not among {@code fileListeners}, those started from it) stays as it is now, as a
   * whole config set keeps it: a listener added while the node runs (a Toxiproxy proxy, with its toxics and its down
   * switch) lost it to any reload. Kept in the applied config only: a reset goes back to the file's.
   */
  public synchronized ChaosSnapshot rebase(ChaosConfig config, java.util.Set<String> fileListeners) {
    ChaosConfig kept = resolve(config).keepingOwnRules(config().rules(), listener -> !fileListeners.contains(listener))
        .keepingTaskItems(config().rules());
    if (!kept.enabled() && config().enabled() && kept.rules().stream().anyMatch(rule -> ChaosRule.isTaskItemName(rule.name()))) {
      kept = kept.withEnabled(true); // the tasks' items need it on, as a run's end keeps it on for them; their end settles it
    }
    baseline = config;
    beforeScenario = unscenario(config);
    return install(kept, config.scenario(), version() + 1);
  }

  public synchronized ChaosSnapshot putRule(ChaosRule rule) {
    return install(config().withRule(rule), scenario, version() + 1);
  }

  /**
   * Replaces the rule named {@code name} by {@code rule} in its place (first match wins, so the place decides
   * which traffic it gets), renamed or not: one change, so nothing between sees both or neither.
   */
  public synchronized ChaosSnapshot replaceRule(String name, ChaosRule rule) {
    List<ChaosRule> rules = new ArrayList<>(config().rules());
    int at = -1;
    boolean taken = false;
    for (int i = 0; i < rules.size(); i++) {
      if (rules.get(i).name().equals(name)) {
        at = i;
      } else if (rules.get(i).name().equals(rule.name())) {
        taken = true;
      }
    }
    if (at < 0) { // first: a mistyped path is the mistake to name, not the body's name
      throw new NotFound("rule", "no rule named " + name);
    }
    if (taken) {
      throw new io.faultline.chaos.config.ChaosConfigException("name", "a rule named " + rule.name()
          + " exists already: give this one another name, or remove that one first");
    }
    rules.set(at, rule);
    return install(config().withRules(rules), scenario, version() + 1);
  }

  public synchronized ChaosSnapshot removeRule(String name) {
    List<ChaosRule> rules = new ArrayList<>(config().rules());
    if (!rules.removeIf(r -> r.name().equals(name))) {
      throw new NotFound("rule", "no rule named " + name);
    }
    return install(config().withRules(rules), scenario, version() + 1);
  }

  /** Starts a scenario: its sections replace the active ones and chaos is switched on; rules and seed stay. */
  public synchronized ChaosSnapshot startScenario(String name) {
    Scenario s = find(name);
    ChaosConfig current = config();
    ChaosConfig next = ChaosConfig.off().overlay(s.config())
        .withEnabled(true).withSeed(current.seed()).withRules(current.rules()).withScenario(name);
    Replica was = replicator == null ? null : replica();
    if (scenario == null) {
      beforeScenario = current;
    }
    return install(next, name, version() + 1, was == null ? null : startedFrom(was, s));
  }

  /**
   * The state the cluster is told a start of {@code s} was made on: {@code was} without the scenario, with
   * chaos off and without the scenario's sections, so that the start, the switch and each of those sections
   * always merge as changes of this node's. A start on a node that had not yet taken in another's stop of
   * the same scenario (which it still showed running) was otherwise merged as no change: the scenario stayed
   * stopped, though the start was answered. The kill switch is handed over the same way ({@link #enable}).
   */
  private static Replica startedFrom(Replica was, Scenario s) {
    ChaosConfig config = was.config().withEnabled(false).withScenario(null);
    for (String section : s.config().sections().byName().keySet()) {
      config = config.withSection(section, null);
    }
    return new Replica(config, null, was.beforeScenario(), was.version());
  }

  /**
   * Stops the active scenario: the sections active before it started come back, and chaos is on only if it
   * was then and still is; rules and the seed stay as they are now (a start left them alone too).
   */
  public synchronized ChaosSnapshot stopScenario() {
    if (scenario == null) {
      throw new NotFound("scenario", "no scenario is active");
    }
    ChaosConfig before = beforeScenario != null ? beforeScenario : ChaosConfig.off();
    ChaosConfig current = config();
    beforeScenario = null;
    // the sections go back; what the scenario never touched stays as it is now: rules and the seed as edited
    // meanwhile, and a kill switch pressed meanwhile stays pressed
    return install(before.withScenario(null).withRules(current.rules()).withSeed(current.seed())
        .withEnabled(before.enabled() && current.enabled()), null, version() + 1);
  }

  public synchronized List<Scenario> scenarios() {
    List<Scenario> all = new ArrayList<>(Scenarios.builtIn());
    all.addAll(saved.values());
    return all;
  }

  /** Adds scenarios saved by an earlier run (at start-up, before traffic). */
  public synchronized void restoreScenarios(List<Scenario> scenarios) {
    scenarios.forEach(this::saveScenario);
  }

  /** The saved (custom) scenarios, for persisting them. */
  public synchronized List<Scenario> savedScenarios() {
    return List.copyOf(saved.values());
  }

  /** The saved scenario named {@code name}, or null. */
  public synchronized Scenario savedScenario(String name) {
    return saved.get(name);
  }

  /** Where saved scenario {@code name} stands in the list, for {@link #revertScenario}: null when none is saved by that name. */
  public synchronized Place savedPlace(String name) {
    int index = 0;
    for (var it = saved.keySet().iterator(); it.hasNext(); index++) {
      if (it.next().equals(name)) {
        return new Place(index, it.hasNext() ? it.next() : null);
      }
    }
    return null;
  }

  /** A saved scenario's place in the list: its index, and the name of the one after it (null: it was last). */
  public record Place(int index, String before) {
  }

  /**
   * Undoes a change of saved scenario {@code name} whose storing failed: puts back {@code previous} (null:
   * none) if that change ({@code change}, its {@link #lastChange} when it was made) is still the name's last, so a
   * later change is never undone (a delete, a save and a delete again were taken for the first delete). A deleted
   * scenario goes back where it stood ({@code place}, from {@link #savedPlace} before the change): before the
   * scenario that followed it if that one is still saved, else at its index, not at the end of the list. Answers
   * whether it did.
   */
  public synchronized boolean revertScenario(String name, long change, Scenario previous, Place place) {
    if (lastChange(name) != change) {
      return false;
    }
    changedAt.put(name, ++scenarioChanges);
    if (previous == null) {
      saved.remove(name);
    } else if (saved.containsKey(name) || place == null) {
      saved.put(name, previous); // replaced in its place
    } else {
      int at = place.before() != null && saved.containsKey(place.before()) ? -1 : Math.min(place.index(), saved.size());
      List<Map.Entry<String, Scenario>> after = new ArrayList<>();
      int index = 0;
      for (var it = saved.entrySet().iterator(); it.hasNext(); index++) {
        Map.Entry<String, Scenario> entry = it.next();
        if (!after.isEmpty() || index == at || entry.getKey().equals(place.before())) {
          after.add(Map.entry(entry.getKey(), entry.getValue()));
          it.remove();
        }
      }
      saved.put(name, previous);
      after.forEach(entry -> saved.put(entry.getKey(), entry.getValue()));
    }
    return true;
  }

  public synchronized Scenario saveScenario(Scenario s) {
    if (Scenarios.builtIn(s.name()) != null) {
      throw new ChaosConfigException("name", "cannot overwrite the built-in scenario " + s.name());
    }
    if (s.name().equals("stop")) {
      throw new ChaosConfigException("name", "\"stop\" is reserved (POST /api/chaos/scenarios/stop stops the active scenario)");
    }
    resolve(s.config());
    // what a start applies, no more: a scenarios.json written before the API refused them may hold rules and a seed
    Scenario stored = new Scenario(s.name(), s.description(), false, s.config().withScenario(null).withSeed(null).withRules(List.of()),
        s.defaultDurationSeconds());
    saved.put(s.name(), stored);
    changedAt.put(s.name(), ++scenarioChanges);
    return stored;
  }

  public synchronized void deleteScenario(String name) {
    if (Scenarios.builtIn(name) != null) {
      throw new ChaosConfigException("name", "cannot delete the built-in scenario " + name);
    }
    if (saved.remove(name) == null) {
      throw new NotFound("scenario", "no scenario named " + name);
    }
    changedAt.put(name, ++scenarioChanges);
  }

  /** The number of saved scenario {@code name}'s last change (0: none since the node started), for {@link #revertScenario}. */
  public synchronized long lastChange(String name) {
    return changedAt.getOrDefault(name, 0L);
  }

  public synchronized Scenario find(String name) {
    Scenario s = Scenarios.builtIn(name);
    if (s == null) {
      s = saved.get(name);
    }
    if (s == null) {
      throw new NotFound("scenario", "unknown scenario " + name + "; known: " + scenarios().stream().map(Scenario::name).toList());
    }
    return s;
  }

  /**
   * What stopping the scenario a config names returns to (null when it names none): the same config without
   * the scenario and without the scenario's sections, which the config's own only refined. A stop ends the
   * scenario's faults: a file's {@code scenario: slow_backend} with {@code latency: {probability: 0.5}} kept
   * delaying half the requests 2 s after the stop. The config's sections the scenario does not have stay.
   */
  private ChaosConfig unscenario(ChaosConfig config) {
    if (config.scenario() == null) {
      return null;
    }
    ChaosConfig before = config.withScenario(null);
    Scenario s = Scenarios.builtIn(config.scenario());
    if (s == null) {
      s = saved.get(config.scenario());
    }
    if (s != null) {
      for (String section : s.config().sections().byName().keySet()) {
        before = before.withSection(section, null);
      }
    }
    return before;
  }

  /** A config naming a scenario gets the scenario's sections under its own explicit ones. */
  private ChaosConfig resolve(ChaosConfig config) {
    if (config.scenario() == null) {
      return config;
    }
    Scenario s;
    try {
      s = find(config.scenario());
    } catch (NotFound e) {
      throw new ChaosConfigException("scenario", e.getMessage());
    }
    return ChaosConfig.off().overlay(s.config()).overlay(config)
        .withEnabled(config.enabled()).withSeed(config.seed()).withRules(config.rules()).withScenario(config.scenario());
  }

  private ChaosSnapshot install(ChaosConfig config, String activeScenario, long version) {
    return install(config, activeScenario, version, replicator == null ? null : replica());
  }

  /** {@code base}: the state the cluster is told the change was made on. */
  private ChaosSnapshot install(ChaosConfig config, String activeScenario, long version, Replica base) {
    ChaosSnapshot next = compile(config, activeScenario, version);
    if (replicator != null) {
      handed++;
      replicator.accept(base, replica());
    }
    return next;
  }

  /**
   * The count of local changes handed to the cluster so far: read before making a change, it is what
   * {@link #replicatedSince} is given.
   */
  public synchronized long handed() {
    return handed;
  }

  /**
   * Completes once the cluster has answered every local change made so far (at once without a cluster),
   * so a change is answered after it is stored: two changes made one after the other on two nodes are
   * then stored in that order, and the later wins where both touched the same field. Answered before,
   * the store of an earlier change could land after a later one's and overwrite it. Fails with
   * {@link NotShared} when the answer was that the cluster could not store it, even when that answer came
   * before this was asked (a store that fails fast): {@code before} is {@link #handed()} as it was before
   * the change, so a failure of a change made earlier is not taken for this one's.
   */
  public synchronized CompletionStage<Void> replicatedSince(long before) {
    if (replicator == null) {
      return CompletableFuture.completedFuture(null);
    }
    if (answered == handed) {
      // the last answer holds them all: a store after a failed one stores what failed first (the cluster keeps it to offer again)
      return failedAt == answered && failedAt > before
          ? CompletableFuture.failedFuture(new NotShared(failedWith))
          : CompletableFuture.completedFuture(null);
    }
    Waiter waiter = new Waiter(handed, new CompletableFuture<>());
    waiting.add(waiter);
    return waiter.done();
  }

  private ChaosSnapshot compile(ChaosConfig config, String activeScenario, long version) {
    long seed = config.seed() != null ? config.seed() : defaultSeed;
    ChaosSnapshot next = ChaosSnapshot.compile(config, version, seed, freshParts ? null : snapshot, nanoClock, node);
    snapshot = next;
    scenario = activeScenario;
    for (Consumer<ChaosSnapshot> watcher : List.copyOf(watchers)) {
      watcher.accept(next);
    }
    return next;
  }

  /**
   * Hands the current snapshot to {@code watcher} now, then every snapshot installed from now on (a change,
   * a reload, another node's change, a new cluster size), before the change is answered. It runs under
   * this state's lock, on the changing thread, so it must only note the snapshot and hand work to its own
   * context. For what outlives a snapshot (a tcp listener's connections follow their toxics, and the
   * listener its {@code down} switch; an exchange runner releases what it holds when chaos goes off).
   * Held weakly: the watcher must be kept reachable for as long as it should be told (the answer, which
   * stops the watching, keeps it so).
   */
  public synchronized Runnable watch(Consumer<ChaosSnapshot> watcher) {
    watchers.add(watcher);
    watcher.accept(snapshot);
    return () -> {
      synchronized (this) {
        watchers.remove(watcher);
      }
    };
  }

  /** This node's state as a {@link Replica}, with the seed made explicit so every node draws the same. */
  public synchronized Replica replica() {
    ChaosConfig config = snapshot.config();
    return new Replica(config.withSeed(snapshot.seed()), scenario, beforeScenario, snapshot.version());
  }

  /**
   * Every local change from now on is handed to {@code replicator} (the cluster), under this state's lock,
   * as the state it was made on and the state it made; the cluster answers each with {@link #shared}.
   */
  public void replicateTo(BiConsumer<Replica, Replica> replicator) {
    List<Waiter> released;
    synchronized (this) {
      this.replicator = replicator;
      answered = handed;
      released = List.copyOf(waiting);
      waiting.clear();
    }
    released.forEach(w -> w.done().complete(null)); // no cluster to wait for any more
  }

  /**
   * Takes over a state another node made: applied when its version is newer than this node's, or equal
   * with a different config, and no local change is on its way to the cluster; not replicated again.
   * Answers whether it was applied.
   */
  public synchronized boolean adopt(Replica replica) {
    return answered == handed && take(replica);
  }

  /**
   * The cluster stored a local change handed to the replicator as {@code stored} (merged with what other
   * nodes changed meanwhile; null when it could not be stored): adopted like {@link #adopt} once no other
   * local change is on its way (the last one's result holds them all). Answers whether it was applied.
   */
  public boolean shared(Replica stored) {
    return answer(stored, null);
  }

  /**
   * The cluster could not store the oldest local change not answered yet ({@code cause}): it stays applied here, and
   * what waits for it ({@link #replicatedSince}) fails with {@link NotShared}, so an answer can say the cluster does not have
   * it yet.
   */
  public void notShared(Throwable cause) {
    answer(null, cause);
  }

  private boolean answer(Replica stored, Throwable failure) {
    List<Waiter> released = new ArrayList<>();
    boolean applied;
    synchronized (this) {
      answered = Math.min(handed, answered + 1);
      if (failure != null) {
        failedAt = answered;
        failedWith = failure;
      }
      applied = answered == handed && stored != null && take(stored);
      while (!waiting.isEmpty() && waiting.peek().handed() <= answered) {
        released.add(waiting.poll());
      }
    }
    for (Waiter w : released) { // outside the lock: what waits runs on
      if (failure == null) {
        w.done().complete(null);
      } else {
        w.done().completeExceptionally(new NotShared(failure));
      }
    }
    return applied;
  }

  /** A local change the cluster could not store (its cause as the message). */
  public static final class NotShared extends RuntimeException {
    NotShared(Throwable cause) {
      super(cause.getMessage() != null ? cause.getMessage() : cause.toString(), cause, false, false);
    }
  }

  /** Whether no local change is on its way to the cluster. */
  public synchronized boolean settled() {
    return answered == handed;
  }

  private boolean take(Replica replica) {
    if (replica.version() < version() || replica.version() == version() && replica.config().equals(config())) {
      return false;
    }
    beforeScenario = replica.beforeScenario();
    compile(replica.config(), replica.scenario(), replica.version());
    return true;
  }

  /** Recompiles the current config for {@code next} (cluster membership changed): node scopes and cluster limits follow. */
  public synchronized void moveTo(NodeContext next) {
    node = next;
    compile(snapshot.config(), scenario, snapshot.version());
  }

  /** A named thing (scenario, rule) that does not exist. */
  public static final class NotFound extends RuntimeException {
    private final String field;

    public NotFound(String field, String message) {
      super(message, null, false, false);
      this.field = field;
    }

    public String field() {
      return field;
    }
  }
}
