package io.faultline.chaos.control;

import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What changed in the chaos state, when, and from where: each change is a JSON entry
 * {@code {"at", "node", "version", "address", "source", "detail", "diff": [{"path", "from", "to"}]}}
 * carried under {@code change} on {@link Addresses#CHAOS_CHANGED}. The node keeps the newest
 * {@link #CAPACITY} entries it has seen (its own and, in a cluster, the other nodes'), newest first.
 *
 * <p>The source is the {@link Addresses#SOURCE_HEADER} of the control message: one of {@link #SOURCES}
 * ({@code event-bus} when a sender did not say), optionally followed by {@code :detail} (an orchestration
 * run id, a task id, a node id).
 */
public final class ChangeLog {

  /** Where a change can come from. */
  public static final Set<String> SOURCES = Set.of("rest", "cli", "console", "graphql", "orchestration", "task", "node",
      "reload", "bridge", "experiment", "toxiproxy", "event-bus");

  /**
   * The sources that run chaos themselves (an orchestration's run, an experiment, a distributed task) and put back
   * what they found as they end: their changes are not a user's word on the config or the master switch.
   */
  public static final Set<String> RUNNERS = Set.of("orchestration", "experiment", "task");

  /**
   * The runners that steer the node's whole config for a while and put back what they found (an orchestration's run,
   * an experiment): their switch-off is a pause of the shared switch for a task's item, and their end says whose it is.
   */
  public static final Set<String> STEERERS = Set.of("orchestration", "experiment");

  /**
   * A restore's entry field: the task items' rules ({@code task:ID:INDEX}) that kept chaos on when the run's saved
   * config had it off, or (possibly none, when they settled during the run) those of the tasks whose switch-on the
   * run found. The switch is theirs from then on, as if a task had switched it on.
   */
  public static final String KEPT_ON_FOR = "kept_on_for";

  /**
   * A restore's entry field, true: the run found chaos on as someone else's than the tasks' (a user's), and a task
   * switched it on during the run (in its pause). The switch stays that someone's: the task's switch-on is not the
   * newest word on it any more, so the task's settle leaves it on.
   */
  public static final String KEPT_ON = "kept_on";

  static final int CAPACITY = 200;

  private final Deque<JsonObject> entries = new ArrayDeque<>();

  /** Who sent {@code message}: its source header's kind ({@code orchestration} of {@code orchestration:RUN}), {@code event-bus} when none or unknown. */
  static String source(Message<?> message) {
    String header = message.headers().get(Addresses.SOURCE_HEADER);
    if (header == null || header.isBlank()) {
      return "event-bus";
    }
    int colon = header.indexOf(':');
    String kind = colon < 0 ? header : header.substring(0, colon);
    return SOURCES.contains(kind) ? kind : "event-bus";
  }

  /** The change a control message made, from the config before and after it. */
  static JsonObject entry(Message<?> message, String node, long version, JsonObject before, JsonObject after, long nowMs) {
    String header = message.headers().get(Addresses.SOURCE_HEADER);
    String source = source(message);
    String detail = source.equals("event-bus") || header.indexOf(':') < 0 ? null : header.substring(header.indexOf(':') + 1);
    return new JsonObject()
        .put("at", nowMs)
        .put("node", node)
        .put("version", version)
        .put("address", message.address())
        .put("source", source)
        .put("detail", detail)
        // what a change by name was about (a rule, a scenario): a scenario saved or deleted changes no config
        .put("name", message.body() instanceof JsonObject body && body.getValue("name") instanceof String name ? name : null)
        .put("diff", diff(before, after));
  }

  /** Records an entry seen on {@link Addresses#CHAOS_CHANGED}, dropping the oldest beyond capacity. */
  void add(JsonObject entry) {
    entries.addFirst(entry);
    while (entries.size() > CAPACITY) {
      entries.removeLast();
    }
  }

  /**
   * True when the newest change of the master switch logged here switched it off and came from {@code sourceHeader}
   * (a run's own pause). Any change of someone's who is not a {@link #RUNNERS runner} since is a user's newer word
   * (a kill switch pressed on a switch already off, or a config set with chaos off, switches nothing yet is one): false.
   */
  boolean switchedOffBy(String sourceHeader) {
    for (JsonObject entry : entries) {
      if (!RUNNERS.contains(entry.getString("source")) || Addresses.CHAOS_DISABLE.equals(entry.getString("address"))) {
        return false;
      }
      Boolean to = switchedTo(entry);
      if (to != null) {
        return !to && origin(entry).equals(sourceHeader);
      }
    }
    return false;
  }

  /**
   * Whether the master switch is the distributed tasks' in {@code entries} (newest first): when the newest change that
   * says whose it is ({@link #newestWord}) is a task's switch-on or a run's end that left it theirs ({@link #KEPT_ON_FOR}).
   * Then the last task to settle switches chaos off.
   */
  public static boolean tasksSwitch(Iterable<?> entries) {
    JsonObject word = newestWord(entries);
    return word != null && tasks(word);
  }

  /**
   * Whether the newest word on the switch in {@code entries} is an orchestration's or an experiment's (a step, its pause
   * or its switch-on, or an end that did not leave it to the tasks): while that run goes on, its end will say whose the
   * switch is.
   */
  public static boolean runsSwitch(Iterable<?> entries) {
    JsonObject word = newestWord(entries);
    return word != null && !word.containsKey(KEPT_ON_FOR) && STEERERS.contains(word.getString("source"));
  }

  /**
   * Whether the switch was the tasks' ({@link #tasksSwitch}) when run {@code run} ({@code source:detail}) began, and no
   * one but a runner has had a word on it since (a switch change or a word for chaos by anyone else after the run's
   * first change). False when the run changed nothing. A kill switch pressed while chaos was off already is a word
   * too, as it stops the runs and the tasks.
   */
  public static boolean tasksSwitchBefore(Iterable<?> entries, String run) {
    int oldest = oldest(entries, run);
    if (oldest < 0) {
      return false;
    }
    int index = 0;
    for (Object o : entries) {
      JsonObject entry = (JsonObject) o;
      if (index++ <= oldest) {
        if (!RUNNERS.contains(entry.getString("source")) && says(entry)) {
          return false; // a user's word during the run
        }
      } else if (says(entry)) {
        return tasks(entry);
      }
    }
    return false;
  }

  /** {@link #tasksSwitchBefore(Iterable, String)} over the entries logged here. */
  boolean tasksSwitchBefore(String run) {
    return run != null && tasksSwitchBefore(entries, run);
  }

  /** Whether a task switched chaos on since run {@code run}'s first change logged here (false when it logged none). */
  boolean taskSwitchedOnDuring(String run) {
    int oldest = run == null ? -1 : oldest(entries, run);
    int index = 0;
    for (JsonObject entry : entries) {
      if (index++ > oldest) {
        return false;
      }
      if ("task".equals(entry.getString("source")) && Boolean.TRUE.equals(switchedTo(entry))) {
        return true;
      }
    }
    return false;
  }

  /** Where run {@code run}'s first change logged in {@code entries} (newest first) is, counted from the newest; -1 when none. */
  private static int oldest(Iterable<?> entries, String run) {
    int oldest = -1;
    int index = 0;
    for (Object o : entries) {
      if (origin((JsonObject) o).equals(run)) {
        oldest = index;
      }
      index++;
    }
    return oldest;
  }

  /** The newest change in {@code entries} that says whose the switch is ({@link #says}), or null. */
  private static JsonObject newestWord(Iterable<?> entries) {
    for (Object o : entries) {
      if (says((JsonObject) o)) {
        return (JsonObject) o;
      }
    }
    return null;
  }

  /**
   * Whether change {@code entry} says whose the switch is: it switched it, asked for chaos, was the kill switch (even on a
   * switch already off), or a run's end kept it on.
   */
  private static boolean says(JsonObject entry) {
    return switchedTo(entry) != null || asksForChaos(entry) || killSwitch(entry) || entry.containsKey(KEPT_ON_FOR)
        || entry.containsKey(KEPT_ON);
  }

  /** Whether {@code word} gave the switch to the tasks: a task's switch-on, or a run's end that left it theirs. */
  private static boolean tasks(JsonObject word) {
    return word.containsKey(KEPT_ON_FOR) || "task".equals(word.getString("source")) && !Boolean.FALSE.equals(switchedTo(word));
  }

  /**
   * A user's enable or scenario start (not a task's, an orchestration's or an experiment's): with chaos already
   * on (the task's) it changes no switch, yet it says chaos is wanted on, so the switch is not the tasks' any more.
   */
  public static boolean asksForChaos(JsonObject change) {
    // an orchestration's or an experiment's own puts back what it found as it ends: not a user's word
    return !RUNNERS.contains(change.getString("source"))
        && (Addresses.CHAOS_ENABLE.equals(change.getString("address")) || Addresses.SCENARIO_START.equals(change.getString("address")));
  }

  /** Where the master switch went in change {@code entry}: true (on), false (off), or null when it did not change. */
  public static Boolean switchedTo(JsonObject entry) {
    for (Object d : entry.getJsonArray("diff", new JsonArray())) {
      if (d instanceof JsonObject diff && "enabled".equals(diff.getString("path"))) {
        return diff.getValue("to") instanceof Boolean to ? to : null;
      }
    }
    return null;
  }

  /**
   * Whether {@code entry} is the kill switch: a disable ({@code POST /api/chaos/disable}, the console's button, the CLI, a
   * script) by anyone but a {@link #RUNNERS runner}, whether or not chaos was on. Pressed during a run's pause (chaos off
   * by the run's own step), it changes no config, yet it is the user's word that the run and the tasks stop: read from the
   * switch's diff alone, it was missed, and the run's next step switched chaos on again.
   */
  public static boolean killSwitch(JsonObject entry) {
    return killSwitch(entry.getString("address"), entry.getString("source"));
  }

  /** Whether a change to {@code address} by {@code source} (as {@link #source} reads it) is the kill switch. */
  static boolean killSwitch(String address, String source) {
    return Addresses.CHAOS_DISABLE.equals(address) && !RUNNERS.contains(source);
  }

  /**
   * Whether {@code entry} switched chaos off by someone's word, not a runner's: the kill switch, or a config set with
   * chaos off ({@code PUT /api/chaos/config {"enabled": false}}); an orchestration's pause step or a task's end is not.
   */
  public static boolean switchedOffByAUser(JsonObject entry) {
    return (Boolean.FALSE.equals(switchedTo(entry)) || killSwitch(entry)) && !RUNNERS.contains(entry.getString("source"));
  }

  /** Who made change {@code entry}, as its source header read: {@code orchestration:RUN_ID}, {@code task:ID}, {@code rest}. */
  public static String origin(JsonObject entry) {
    String detail = entry.getString("detail");
    return entry.getString("source") + (detail == null ? "" : ":" + detail);
  }

  /** The newest {@code limit} entries, newest first. */
  JsonArray newest(int limit) {
    JsonArray out = new JsonArray();
    Iterator<JsonObject> it = entries.iterator();
    while (it.hasNext() && out.size() < limit) {
      out.add(it.next());
    }
    return out;
  }

  /**
   * The leaves that differ between two JSON documents, as {@code {"path": "latency.fixed_delay_ms", "from": 10, "to": 20}};
   * a section added or removed shows as its fields. Rules are compared by name ({@code rules[slow].latency.fixed_delay_ms};
   * a rule renamed in its place as its changes, {@code rules[new].name} among them; a rule added or removed as one entry
   * from or to the rule; a new order as {@code rules (order)}); other lists are compared whole.
   */
  public static JsonArray diff(JsonObject before, JsonObject after) {
    JsonArray out = new JsonArray();
    diff("", before == null ? new JsonObject() : before, after == null ? new JsonObject() : after, out);
    return out;
  }

  private static void diff(String prefix, JsonObject before, JsonObject after, JsonArray out) {
    Set<String> keys = new TreeSet<>(before.fieldNames());
    keys.addAll(after.fieldNames());
    for (String key : keys) {
      Object from = before.getValue(key);
      Object to = after.getValue(key);
      String path = prefix.isEmpty() ? key : prefix + "." + key;
      if (path.equals("rules") && named(from) && named(to)) {
        rules(from == null ? new JsonArray() : (JsonArray) from, to == null ? new JsonArray() : (JsonArray) to, out);
      } else if ((from instanceof JsonObject || from == null) && (to instanceof JsonObject || to == null) && from != to) {
        // a section added or removed shows as its fields, each from or to null
        diff(path, from == null ? new JsonObject() : (JsonObject) from, to == null ? new JsonObject() : (JsonObject) to, out);
      } else if (!Objects.equals(plain(from), plain(to))) {
        out.add(new JsonObject().put("path", path).put("from", from).put("to", to));
      }
    }
  }

  /** Null, or a list of objects that each have a name (the rule list). */
  private static boolean named(Object value) {
    return value == null || value instanceof JsonArray list
        && list.stream().allMatch(o -> o instanceof JsonObject rule && rule.getValue("name") instanceof String);
  }

  private static void rules(JsonArray before, JsonArray after, JsonArray out) {
    Map<String, JsonObject> from = byName(before);
    Map<String, JsonObject> to = byName(after);
    // a rule renamed in its place (its old name gone, a new one at its index) is that rule changed, not one removed and one added
    Map<String, String> renamed = new java.util.HashMap<>();
    for (int i = 0; i < Math.min(before.size(), after.size()); i++) {
      String was = before.getJsonObject(i).getString("name");
      String now = after.getJsonObject(i).getString("name");
      if (!was.equals(now) && !to.containsKey(was) && !from.containsKey(now)) {
        renamed.put(now, was);
      }
    }
    java.util.Set<String> names = new java.util.LinkedHashSet<>(from.keySet());
    names.addAll(to.keySet());
    for (String name : names) {
      JsonObject was = from.get(renamed.getOrDefault(name, name));
      JsonObject now = to.get(name);
      if (renamed.containsValue(name) && now == null) {
        continue; // shown under its new name
      }
      if (was == null || now == null) {
        out.add(new JsonObject().put("path", "rules[" + name + "]").put("from", was).put("to", now)); // added or removed: the rule
      } else {
        diff("rules[" + name + "]", was, now, out);
      }
    }
    java.util.List<String> kept = new java.util.ArrayList<>(from.keySet());
    kept.retainAll(to.keySet());
    java.util.List<String> keptAfter = new java.util.ArrayList<>(to.keySet());
    keptAfter.retainAll(from.keySet());
    // (renamed rules kept their place, so they change no order)
    if (!kept.equals(keptAfter)) {
      out.add(new JsonObject().put("path", "rules (order)").put("from", new JsonArray(kept)).put("to", new JsonArray(keptAfter)));
    }
  }

  private static Map<String, JsonObject> byName(JsonArray rules) {
    Map<String, JsonObject> out = new java.util.LinkedHashMap<>();
    rules.forEach(o -> out.put(((JsonObject) o).getString("name"), (JsonObject) o));
    return out;
  }

  private static Object plain(Object value) {
    if (value instanceof JsonObject json) {
      return json.getMap();
    }
    if (value instanceof JsonArray array) {
      return array.getList();
    }
    if (value instanceof Map<?, ?> || value == null) {
      return value;
    }
    return value instanceof Number n ? (Object) n.doubleValue() : value;
  }
}
