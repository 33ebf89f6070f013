package io.faultline.chaos.control;

import static io.faultline.chaos.control.MessageFields.only;

import io.faultline.chaos.config.ChaosConfig;
import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.config.ChaosJson;
import io.faultline.chaos.config.ChaosRule;
import io.faultline.chaos.config.Scenario;
import io.faultline.chaos.engine.ChaosSnapshot;
import io.faultline.chaos.state.ChaosState;
import io.faultline.chaos.state.ScenarioStore;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Owns the node's {@link ChaosState} and answers every {@code faultline.chaos.*} and
 * {@code faultline.scenario.*} address. Each change replies with the new status and publishes it on
 * {@link Addresses#CHAOS_CHANGED}. Bodies are JSON objects; failures carry an HTTP-like code and the
 * {@code {"error", "field"}} JSON (see {@link ControlError}).
 */
public final class ChaosControlVerticle extends VerticleBase {

  private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(ChaosControlVerticle.class.getName());
  private static final io.vertx.core.eventbus.DeliveryOptions LOCAL = new io.vertx.core.eventbus.DeliveryOptions().setLocalOnly(true);

  private final ChaosState state;
  private final ScenarioStore store;
  /** The runs and experiments the kill switch stopped, whose changes still on their way are refused. */
  private final KilledRuns killedRuns = new KilledRuns();
  private final ChangeLog changes = new ChangeLog();

  public ChaosControlVerticle(ChaosState state) {
    this(state, ScenarioStore.MEMORY);
  }

  /** {@code store} keeps saved scenarios across restarts; it is written off the event loop after each save or delete. */
  public ChaosControlVerticle(ChaosState state, ScenarioStore store) {
    this.state = state;
    this.store = store;
  }

  @Override
  public Future<?> start() {
    List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
    consumers.add(answer(Addresses.CHAOS_STATUS, body -> status()));
    consumers.add(answer(Addresses.CHAOS_GET, body -> chaosConfig()));
    consumers.add(answer(Addresses.CHAOS_CHANGES, body -> new JsonObject().put("changes",
        changes.newest(limit(body == null ? null : only(body, "limit"))))));
    // Other nodes' changes (a cluster publishes them to every node); this node's own are logged as they are made.
    consumers.add(vertx.eventBus().consumer(Addresses.CHAOS_CHANGED, message -> {
      JsonObject change = message.body() == null ? null : message.body().getJsonObject("change");
      if (change != null && !state.snapshot().node().id().equals(change.getString("node"))) {
        changes.add(change);
      }
    }));
    consumers.add(noted(Addresses.CHAOS_SET, message -> {
      set(message);
      return null;
    }));
    consumers.add(answer(InternalAddresses.CHAOS_SAVED, body -> new JsonObject().put("config", chaosConfig())
        .put("before_scenario", state.beforeScenario() == null ? null : new JsonObject(ChaosJson.toMap(state.beforeScenario())))));
    consumers.add(noted(InternalAddresses.CHAOS_RESTORE, this::restore));
    consumers.add(change(InternalAddresses.CHAOS_SEED, body -> state.setSeed(ChaosConfig.seed(body == null ? null : body.getValue("seed")))));
    consumers.add(change(Addresses.CHAOS_ENABLE, body -> state.enable(true)));
    consumers.add(change(Addresses.CHAOS_DISABLE, body -> state.enable(false)));
    consumers.add(change(Addresses.CHAOS_RESET, body -> state.reset()));
    // {"config": the file's chaos, "listeners": the running listeners whose chaos it gives}
    consumers.add(change(InternalAddresses.CHAOS_REBASE, body -> state.rebase(ChaosJson.config(map(body.getJsonObject("config"))),
        body.getJsonArray("listeners").stream().map(String::valueOf).collect(java.util.stream.Collectors.toSet()))));
    consumers.add(answer(Addresses.RULES_LIST, body -> new JsonObject().put("rules", rules())));
    consumers.add(noted(Addresses.RULES_PUT, message -> {
      notATasks(message, message.body() == null ? null : message.body().getValue("name"), "name");
      state.putRule(ChaosJson.convert(map(message.body()), ChaosRule.class, ""));
      return null;
    }));
    consumers.add(change(Addresses.RULES_REMOVE, body -> state.removeRule(required(only(body, "name"), "name"))));
    consumers.add(noted(Addresses.RULES_REPLACE, message -> {
      JsonObject body = message.body();
      Object rule = only(body, "name", "rule").getValue("rule");
      if (!(rule instanceof JsonObject)) {
        throw new ChaosConfigException("rule", "is required and must be a rule object");
      }
      notATasks(message, body.getValue("name"), "name");
      notATasks(message, ((JsonObject) rule).getValue("name"), "rule.name");
      state.replaceRule(required(body, "name"), ChaosJson.convert(map((JsonObject) rule), ChaosRule.class, ""));
      return null;
    }));
    consumers.add(answer(Addresses.SCENARIO_LIST, body -> scenarios()));
    consumers.add(change(Addresses.SCENARIO_START, body -> state.startScenario(required(only(body, "name"), "name"))));
    consumers.add(change(Addresses.SCENARIO_STOP, body -> state.stopScenario()));
    consumers.add(persisted(Addresses.SCENARIO_SAVE, this::saveScenario));
    consumers.add(vertx.eventBus().localConsumer(InternalAddresses.SCENARIOS_ADOPT, guarded(this::adopt)));
    consumers.add(vertx.eventBus().localConsumer(Addresses.SCENARIO_DELETE, guarded(this::deleteUnlessScheduled)));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
  }

  /** The status document that {@code faultline.chaos.status} answers and {@code faultline.chaos.changed} carries. */
  public JsonObject status() {
    ChaosSnapshot snapshot = state.snapshot();
    ChaosConfig config = snapshot.config();
    return new JsonObject()
        .put("enabled", config.enabled())
        .put("node", snapshot.node().id())
        .put("version", snapshot.version())
        .put("seed", snapshot.seed())
        .put("scenario", state.scenario())
        .put("active_faults", new JsonArray(snapshot.activeFaults()))
        .put("rules", config.rules().size())
        .put("config", chaosConfig());
  }

  private JsonObject chaosConfig() {
    return new JsonObject(ChaosJson.toMap(state.snapshot().config()));
  }

  private JsonArray rules() {
    JsonArray rules = new JsonArray();
    state.config().rules().forEach(rule -> rules.add(new JsonObject(ChaosJson.toMap(rule))));
    return rules;
  }

  private JsonObject scenarios() {
    JsonArray list = new JsonArray();
    for (Scenario s : state.scenarios()) {
      list.add(new JsonObject()
          .put("name", s.name())
          .put("description", s.description())
          .put("built_in", s.builtIn())
          .put("default_duration_seconds", s.durationSeconds())
          .put("config", sections(s)));
    }
    return new JsonObject().put("active", state.scenario()).put("scenarios", list);
  }

  private ChaosSnapshot set(Message<JsonObject> message) {
    JsonObject body = message.body();
    if (body == null) {
      throw new ChaosConfigException("body", "a chaos config or {\"section\": ..., \"config\": ...} is required");
    }
    if (body.containsKey("section")) { // no whole config has a field of that name
      for (String field : body.fieldNames()) {
        if (!field.equals("section") && !field.equals("config")) {
          throw new ChaosConfigException(field, "unknown field: the {\"section\": ..., \"config\": ...} form takes those two only");
        }
      }
      String section = required(body, "section");
      Class<?> type = ChaosJson.sectionType(section); // a name that is no section says so first, whatever its config
      if (!body.containsKey("config")) {
        throw new ChaosConfigException("config", "is required: the section's config, or null to clear it");
      }
      Object config = body.getValue("config");
      if (config == null && body.containsKey("config")) {
        // "config": null clears the section, in one change that keeps the scenario going (as setting one does);
        // an unknown section is refused by the config's withSection, naming the field "section"
        return state.setSection(section, null);
      }
      if (!(config instanceof JsonObject)) {
        throw new ChaosConfigException(section, "must be an object (or null, to clear the section)");
      }
      return state.setSection(section, ChaosJson.convert(map((JsonObject) config), type, section));
    }
    ChaosConfig whole = whole(body);
    // a task item's rule comes with its task only: one set here would keep chaos on at a run's end, for a task that never comes
    java.util.Set<String> there = new java.util.HashSet<>();
    state.config().rules().forEach(rule -> there.add(rule.name()));
    List<ChaosRule> rules = whole.rules();
    for (int i = 0; i < rules.size(); i++) {
      if (!there.contains(rules.get(i).name())) {
        notATasks(message, rules.get(i).name(), "rules[" + i + "].name");
      }
    }
    return state.set(whole);
  }

  /**
   * {@code body} as a whole config: what it leaves out of {@code enabled}, {@code seed} and {@code rules} stays as
   * it is, and so do the listeners' own chaos rules its {@code rules} do not name.
   */
  private ChaosConfig whole(JsonObject body) {
    JsonObject whole = body.copy();
    ChaosConfig current = state.config();
    if (whole.getValue("scenario") instanceof String name) {
      // the fields given with a scenario refine its sections, as a config file's and an orchestration step's do
      try {
        ChaosJson.refineScenario(whole.getMap(), state.find(name).config());
      } catch (ChaosState.NotFound unknown) {
        // refused by the state, naming the scenarios it knows
      }
    }
    // null would read as "off", "no rules" and "draw a seed": a client that writes what it leaves out as null
    // must not switch chaos off, drop every rule and lose the seed without a word
    for (String kept : List.of("enabled", "seed", "rules")) {
      if (whole.containsKey(kept) && whole.getValue(kept) == null) {
        throw new ChaosConfigException(kept, "must not be null: leave it out to keep the current value"
            + (kept.equals("rules") ? ", or give [] for none" : ""));
      }
    }
    if (!whole.containsKey("enabled")) {
      whole.put("enabled", current.enabled());
    }
    if (!whole.containsKey("seed") && current.seed() != null) {
      whole.put("seed", current.seed());
    }
    if (!whole.containsKey("rules")) {
      whole.put("rules", rules());
      return ChaosJson.config(map(whole));
    }
    // a listener's own chaos is not one of the rules a script lists (DELETE /api/chaos/rules/listener:NAME ends it)
    return ChaosJson.config(map(whole)).keepingOwnRules(current.rules(), listener -> true);
  }

  /**
   * Refuses a rule named {@code task:...} put or replaced by anyone but a distributed task: that prefix is the tasks'
   * items' ({@link TaskRules}), and a run's end leaves chaos on while one is there, for a task that would never come
   * to switch it off.
   */
  private static void notATasks(Message<JsonObject> message, Object name, String field) {
    if (name instanceof String rule && io.faultline.chaos.config.ChaosRule.isTaskItemName(rule) && !"task".equals(ChangeLog.source(message))) {
      throw new ChaosConfigException(field, "names starting task: are distributed tasks' items' rules, put and removed by"
          + " their tasks: choose another name, got " + rule);
    }
  }

  /**
   * Puts back a run's (or an experiment's) saved config. Rules put meanwhile stay, and so does the switch while a task
   * item's rule is among them: the item needs chaos on, and its run goes on (switched off, the item took it for a kill
   * switch and a scenario item's chaos ended unsaid). A switch the run itself left off (its pause step, with no
   * user's change since: {@link ChangeLog#switchedOffBy}) goes back on for them. The log entry names those rules
   * ({@link ChangeLog#KEPT_ON_FOR}): the switch is the tasks' now, and the last of them to settle switches it off. So
   * does the entry of a restore that puts back a switch the tasks had on when the run began. One that puts back a
   * user's switch a task switched on during the run (its pause) says it is the user's again ({@link ChangeLog#KEPT_ON}).
   */
  private JsonObject restore(Message<JsonObject> message) {
    JsonObject body = message.body();
    JsonObject before = body.getJsonObject("before_scenario");
    JsonObject saved = body.getJsonObject("config");
    ChaosConfig config = whole(saved);
    if (!saved.containsKey("seed")) {
      config = config.withSeed(null); // the config found had none: a seed a step set goes too (a set keeps one left out)
    }
    JsonArray items = new JsonArray(config.rules().stream().map(ChaosRule::name).filter(io.faultline.chaos.config.ChaosRule::isTaskItemName).toList());
    String from = message.headers().get(Addresses.SOURCE_HEADER);
    // off by the run's own step (a pause), the items' chaos was paused: it goes on, as at any other step's end
    boolean on = state.config().enabled() || changes.switchedOffBy(from);
    boolean keptOn = !config.enabled() && on && !items.isEmpty();
    // found on as the tasks' (they had switched it on, and no user has had a word on it since): it stays theirs,
    // whatever the run's steps did with it. The last task to settle switches it off, then or (if that was during the
    // run: its settle waits for the run's end) once this entry is logged
    boolean tasks = config.enabled() && changes.tasksSwitchBefore(from);
    // found on as someone else's (a user's), and a task switched it on in the run's pause: it stays theirs (the task's
    // switch-on would otherwise be the newest word on it, and the task's settle would switch it off)
    boolean others = config.enabled() && !tasks && !keptOn && state.config().enabled() && changes.taskSwitchedOnDuring(from);
    state.restore(keptOn ? config.withEnabled(true) : config, before == null ? null : ChaosJson.config(map(before)));
    return keptOn || tasks ? new JsonObject().put(ChangeLog.KEPT_ON_FOR, items)
        : others ? new JsonObject().put(ChangeLog.KEPT_ON, true) : null;
  }

  private JsonObject saveScenario(JsonObject body) {
    String name = required(body, "name");
    Object config = body.getValue("config");
    if (!(config instanceof JsonObject)) {
      throw new ChaosConfigException("config", "is required and must be a chaos config object");
    }
    for (String key : body.fieldNames()) {
      if (!List.of("name", "description", "config", "default_duration_seconds", "built_in").contains(key)) {
        throw new ChaosConfigException(key, "unknown field; expected name, description, config, default_duration_seconds");
      }
    }
    // what a list answers can be saved back as it is: built_in is the list's, and false is what a save makes
    if (body.containsKey("built_in") && !Boolean.FALSE.equals(body.getValue("built_in"))) {
      throw new ChaosConfigException("built_in", "is the list's: a saved scenario is never built in (leave it out), got "
          + body.getValue("built_in"));
    }
    Object duration = body.getValue("default_duration_seconds");
    if (duration != null && !(duration instanceof Number)) {
      throw new ChaosConfigException("default_duration_seconds", "must be a number of seconds, got " + duration);
    }
    Object description = body.getValue("description");
    if (description != null && !(description instanceof String)) {
      // read as text, {"a": 1} was kept as the description "{\"a\":1}"
      throw new ChaosConfigException("description", "must be text, got " + description);
    }
    onlySections((JsonObject) config);
    ChaosConfig parsed = ChaosJson.convert(map((JsonObject) config), ChaosConfig.class, "config");
    Scenario saved = state.saveScenario(new Scenario(name, (String) description, false, parsed,
        duration == null ? null : ((Number) duration).doubleValue()));
    JsonObject reply = new JsonObject().put("name", saved.name()).put("description", saved.description())
        .put("built_in", false).put("default_duration_seconds", saved.durationSeconds())
        .put("config", sections(saved));
    return reply;
  }

  /** A saved scenario as a save's body takes it: its sections only (a save refuses enabled: false, rules, a seed). */
  public static JsonObject scenarioJson(Scenario s) {
    return new JsonObject().put("name", s.name()).put("description", s.description())
        .put("default_duration_seconds", s.defaultDurationSeconds()).put("config", sections(s));
  }

  /** A scenario's config as a save takes it: its sections, without the enabled, rules and seed a save refuses. */
  private static JsonObject sections(Scenario s) {
    JsonObject config = new JsonObject(ChaosJson.toMap(s.config()));
    List.of("enabled", "rules", "seed", "scenario").forEach(config::remove);
    return config;
  }

  /**
   * The saved scenarios the cluster holds, kept here too: each checked as a save is, then all stored at
   * once. One that does not pass is left out and logged; the others are kept.
   */
  private void adopt(Message<JsonObject> message) {
    JsonObject body = message.body();
    for (Object o : body.getJsonArray("put", new JsonArray())) {
      try {
        saveScenario((JsonObject) o);
      } catch (RuntimeException e) {
        LOG.warning(() -> "the cluster's saved scenario " + ((JsonObject) o).getValue("name") + " was not kept here: " + e.getMessage());
      }
    }
    for (Object o : body.getJsonArray("remove", new JsonArray())) {
      if (o instanceof String name && state.savedScenario(name) != null) {
        state.deleteScenario(name);
      }
    }
    vertx.executeBlocking(() -> {
      store.save(state.savedScenarios());
      return new JsonObject().put("scenarios", state.savedScenarios().size());
    }, true).onSuccess(message::reply).onFailure(error -> ControlError.fail(message, error));
  }

  /**
   * A scenario is chaos sections: starting one keeps the node's rules and seed and switches chaos on. A
   * config that sets them would be stored and then ignored at every start, so it is refused, naming why.
   */
  private static void onlySections(JsonObject config) {
    Object rules = config.getValue("rules");
    if (rules != null && !(rules instanceof JsonArray list && list.isEmpty())) {
      throw new ChaosConfigException("config.rules", "a scenario holds chaos sections only: the node's rules stay when it starts"
          + " (set rules with POST /api/chaos/rules)");
    }
    if (config.getValue("seed") != null) {
      throw new ChaosConfigException("config.seed", "a scenario holds chaos sections only: the node's seed stays when it starts");
    }
    if (config.getValue("scenario") != null) {
      throw new ChaosConfigException("config.scenario", "a scenario cannot start another: copy that scenario's sections instead");
    }
    if (Boolean.FALSE.equals(config.getValue("enabled"))) {
      throw new ChaosConfigException("config.enabled", "a scenario switches chaos on when it starts: false would be ignored");
    }
  }

  private MessageConsumer<JsonObject> answer(String address, Function<JsonObject, JsonObject> action) {
    return vertx.eventBus().localConsumer(address, guarded(message -> message.reply(action.apply(message.body()))));
  }

  /**
   * A saved scenario that a scheduled library entry names is not deleted (409 naming the entries): the
   * entry would fail unattended at each of its minutes. Entries without a schedule are named in the
   * answer's {@code warnings} (a start of theirs fails until the scenario is saved again).
   */
  private void deleteUnlessScheduled(Message<JsonObject> message) {
    String name = required(only(message.body(), "name"), "name");
    Handler<Message<JsonObject>> delete = persist(body -> {
      refuseWhileInUse(name);
      state.deleteScenario(name);
      return new JsonObject().put("deleted", name);
    });
    if (state.savedScenarios().stream().noneMatch(s -> s.name().equals(name))) {
      guarded(delete).handle(message); // not a saved scenario: the delete itself says why not
      return;
    }
    if (name.equals(state.scenario())) {
      // deleted now, the status would name a scenario that no longer exists, and its stop would still restore;
      // checked again as the delete is made (refuseWhileInUse), with the runs' hold: a running one is named by
      // the library's answer below, with its step
      ControlError.fail(message, new ControlError.Conflict("name", "scenario " + name + " is active: stop it first"));
      return;
    }
    vertx.eventBus().<JsonObject>request(Addresses.LIBRARY_USES, new JsonObject().put("scenario", name))
        .map(reply -> reply.body())
        .otherwise(new JsonObject()) // no orchestrator on this node: no library to break
        .onSuccess(uses -> {
          JsonObject running = uses.getJsonObject("running");
          if (running != null) {
            // deleted now, the run fails when it comes to that step (or goes round to it again)
            ControlError.fail(message, new ControlError.Conflict("name", "scenario " + name + " is used by step "
                + running.getString("step") + " of the running orchestration " + running.getString("name")
                + ": stop the run or wait for it to end first"));
            return;
          }
          JsonArray entries = uses.getJsonArray("entries", new JsonArray());
          List<String> scheduled = new ArrayList<>();
          JsonArray warnings = new JsonArray();
          for (Object o : entries) {
            JsonObject entry = (JsonObject) o;
            if (entry.getString("schedule") != null) {
              scheduled.add(entry.getString("name") + " (" + entry.getString("schedule") + ")");
            } else {
              warnings.add("library entry " + entry.getString("name") + " names it: its start fails until the scenario is saved again");
            }
          }
          if (!scheduled.isEmpty()) {
            ControlError.fail(message, new ControlError.Conflict("name", "scenario " + name + " is used by the scheduled library "
                + (scheduled.size() == 1 ? "entry " : "entries ") + String.join(", ", scheduled)
                + ": change or delete " + (scheduled.size() == 1 ? "it" : "them") + " first"));
            return;
          }
          guarded(warnings.isEmpty() ? delete : persist(body -> {
            refuseWhileInUse(name);
            state.deleteScenario(name);
            return new JsonObject().put("deleted", name).put("warnings", warnings);
          })).handle(message);
        });
  }

  /**
   * Refuses (409) the delete of {@code name} while it is active or held by a run of this node, checked as the
   * delete is made: a start or a run that came while the delete asked the library about it got in before.
   */
  private void refuseWhileInUse(String name) {
    if (name.equals(state.scenario())) {
      throw new ControlError.Conflict("name", "scenario " + name + " is active: stop it first");
    }
    Object run = vertx.sharedData().getLocalMap(InternalAddresses.SCENARIOS_HELD).get(name);
    if (run != null) {
      throw new ControlError.Conflict("name", "scenario " + name + " is named by orchestration " + run
          + ", which is starting or running: stop the run or wait for it to end first");
    }
  }

  /** Like {@link #answer}, replying only once the saved scenarios are stored; the change is published like any other. */
  private MessageConsumer<JsonObject> persisted(String address, Function<JsonObject, JsonObject> action) {
    return vertx.eventBus().localConsumer(address, guarded(persist(action)));
  }

  /**
   * The change is made, then the saved scenarios are stored, and the answer comes once they are. Stores
   * run one at a time in the order of the changes, each writing the scenarios as they are when it runs,
   * so the file ends with every change made (concurrent stores used to land in any order, and the last
   * to land could lack a change another had answered 201). A store that fails undoes its change, unless
   * a later change replaced it, before the next store runs, and answers 500 saying nothing was saved.
   */
  private Handler<Message<JsonObject>> persist(Function<JsonObject, JsonObject> action) {
    return message -> {
      JsonObject before = chaosConfig();
      String name = message.body() == null ? null : message.body().getString("name");
      Scenario previous = name == null ? null : state.savedScenario(name);
      ChaosState.Place place = name == null ? null : state.savedPlace(name);
      JsonObject reply = action.apply(message.body());
      long change = name == null ? 0 : state.lastChange(name);
      publish(message, before);
      JsonObject[] undone = {null}; // the config as it was before the undo, once a failed store's change is undone
      vertx.executeBlocking(() -> {
        try {
          store.save(state.savedScenarios());
        } catch (RuntimeException e) {
          // undone here, before the next store starts (they run in order on one worker): undone on the event loop
          // after, the next store could write the scenarios with this change in, which memory then lacks
          JsonObject config = chaosConfig();
          if (name != null && state.revertScenario(name, change, previous, place)) {
            undone[0] = config;
            // the store before this one may have written this change already (it writes the scenarios as they are when
            // it runs, and this change was made by then): the file is written again without it, or the next start
            // brought back a change answered "nothing was saved". If this fails too, the next store writes it.
            try {
              store.save(state.savedScenarios());
            } catch (RuntimeException again) {
              e.addSuppressed(again);
            }
          }
          throw e;
        }
        return reply;
      }, true).onSuccess(answer -> {
        if (name != null) {
          Scenario now = state.savedScenario(name);
          vertx.eventBus().publish(InternalAddresses.SCENARIO_STORED, new JsonObject().put("name", name)
              .put("scenario", now == null ? null : scenarioJson(now)), LOCAL);
        }
        message.reply(answer);
      }).onFailure(error -> {
        if (undone[0] != null) {
          publish(message, undone[0]);
        }
        ControlError.fail(message, new ControlError.NotStored("state_dir", "nothing was saved: " + error.getMessage(), error));
      });
    };
  }

  /** A consumer of {@code address} whose {@code action} changes the config: answered, logged and published once stored. */
  private MessageConsumer<JsonObject> change(String address, Function<JsonObject, ChaosSnapshot> action) {
    return noted(address, message -> {
      action.apply(message.body());
      return null;
    });
  }

  /** As {@link #change}, with {@code action} given the message and answering fields for the log entry (null: none). */
  private MessageConsumer<JsonObject> noted(String address, Function<Message<JsonObject>, JsonObject> action) {
    return vertx.eventBus().localConsumer(address, guarded(message -> {
      killedRuns.refuse(address, message);
      JsonObject before = chaosConfig();
      long handed = state.handed();
      JsonObject note = action.apply(message);
      killedRuns.applied(address, message);
      String held = heldBy(address, message);
      // answered once the cluster stored it (at once on a node alone), with the version stored
      Future.fromCompletionStage(state.replicatedSince(handed), context).onComplete(stored -> {
        JsonObject status = publish(message, before, note);
        JsonArray warnings = new JsonArray();
        if (held != null) {
          warnings.add(held + " holds the chaos config: when it ends it puts back the config it found, and this change goes with it");
        }
        if (stored.failed() && stored.cause().getCause() instanceof ChaosConfigException refused) {
          warnings.add("the cluster refuses this change merged with the other nodes' changes (" + refused.field() + ": "
              + refused.getMessage() + "): the other nodes never take it, and this node drops it when it next takes the cluster's state"
              + " (within a heartbeat)");
        } else if (stored.failed()) {
          warnings.add("the cluster could not store this change (" + stored.cause().getMessage() + "): this node applies it, the"
              + " other nodes do not yet; it is offered to the cluster again at each heartbeat until it is stored");
        }
        message.reply(warnings.isEmpty() ? status : status.copy().put("warnings", warnings));
      });
    }));
  }

  /** Changes that a run's or an experiment's end undoes: a config's or a section's, a scenario's start or stop, a reset. */
  private static final Set<String> UNDONE_AT_THE_END = Set.of(Addresses.CHAOS_SET, Addresses.SCENARIO_START,
      Addresses.SCENARIO_STOP, Addresses.CHAOS_RESET);

  /**
   * What holds this node's config and will put back the one it found ("orchestration NAME (run-ID)", "experiment
   * ID"), when {@code message} is a change of someone else's that it will undo; else null. The change is made and
   * answered with a warning: a 409 would also refuse a change meant to last only while the run goes on.
   */
  private String heldBy(String address, Message<JsonObject> message) {
    if (!UNDONE_AT_THE_END.contains(address)) {
      return null;
    }
    if (ChangeLog.RUNNERS.contains(ChangeLog.source(message))) {
      return null; // the holder's own changes (a task's too: its rules and sections are its own)
    }
    io.vertx.core.shareddata.LocalMap<Object, Object> steering = vertx.sharedData().getLocalMap(InternalAddresses.STEERING);
    Object experiment = InternalAddresses.experimentHolding(vertx); // this node's, or another's not lapsed
    Object run = steering.get("run");
    return experiment != null ? "experiment " + experiment : run != null ? "orchestration " + run : null;
  }

  /** Logs the change {@code message} made and publishes the new status with it; answers the status. */
  private JsonObject publish(Message<JsonObject> message, JsonObject before) {
    return publish(message, before, null);
  }

  /** Logs the change {@code message} made, {@code note}'s fields added to its entry, and publishes the new status with it. */
  private JsonObject publish(Message<JsonObject> message, JsonObject before, JsonObject note) {
    JsonObject status = status();
    JsonObject change = ChangeLog.entry(message, state.snapshot().node().id(), state.snapshot().version(), before,
        status.getJsonObject("config"), System.currentTimeMillis());
    if (note != null) {
      change.mergeIn(note);
    }
    changes.add(change);
    vertx.eventBus().publish(Addresses.CHAOS_CHANGED, status.copy().put("change", change));
    return status;
  }

  private static Handler<Message<JsonObject>> guarded(Handler<Message<JsonObject>> handler) {
    return message -> {
      try {
        handler.handle(message);
      } catch (RuntimeException e) {
        ControlError.fail(message, e);
      }
    };
  }

  /** {@code limit} of a changes request: 1 to {@link ChangeLog#CAPACITY}, 50 when absent (a script's "abc" is named, not a 500). */
  private static int limit(JsonObject body) {
    Object limit = body == null ? null : body.getValue("limit");
    if (limit == null) {
      return 50;
    }
    if (!(limit instanceof Integer || limit instanceof Long) || ((Number) limit).longValue() < 1
        || ((Number) limit).longValue() > ChangeLog.CAPACITY) {
      throw new ChaosConfigException("limit", "must be a whole number from 1 to " + ChangeLog.CAPACITY + ", got " + limit);
    }
    return ((Number) limit).intValue();
  }

  private static String required(JsonObject body, String field) {
    Object value = body == null ? null : body.getValue(field);
    if (!(value instanceof String s) || s.isBlank()) {
      throw new ChaosConfigException(field, "is required and must be a string");
    }
    return s;
  }

  private static Map<String, Object> map(JsonObject json) {
    return json == null ? Map.of() : json.getMap();
  }
}
