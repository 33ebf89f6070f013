package io.faultline.cluster;

import com.hazelcast.map.IMap;
import io.faultline.chaos.config.ChaosConfig;
import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.config.ChaosJson;
import io.faultline.chaos.state.ChaosState;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * The chaos state the cluster agreed on: one JSON entry in a Hazelcast map, replaced by compare-and-set
 * so that concurrent changes on two nodes become consecutive versions, the later merged over the earlier. It is the only source nodes adopt
 * from (a change notice on the event bus carries nothing a node believes), and what it holds is checked
 * like a PUT before any node applies it. Calls block: use from worker threads.
 */
final class SharedChaos {

  /** Versions count changes; above 2^53 - 1 (the largest integer every JSON client reads exactly) one is not believed. */
  static final long MAX_VERSION = (1L << 53) - 1;

  private static final String KEY = "current";
  private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(SharedChaos.class.getName());

  private final IMap<String, String> map;

  SharedChaos(IMap<String, String> map) {
    this.map = map;
  }

  /**
   * A state as the cluster holds it, with when its last switch-off was made ({@code offStamp}, wall-clock ms, 0 for none
   * known), carried by every later change: a node that switched chaos off can tell a state made after its switch-off
   * (the same or a later stamp) from one made without knowing of it, on the other side of a split (an earlier one).
   * Versions cannot tell: both sides of a split count on from the same version.
   */
  record Entry(ChaosState.Replica replica, long offStamp) {
  }

  /** The agreed state, or null when the cluster holds none yet (or lost it with a member). */
  Entry current() {
    String json = map.get(KEY);
    return json == null ? null : entry(json);
  }

  /** Stores {@code replica} when the cluster holds no state; answers what the cluster holds afterwards. */
  Entry seed(ChaosState.Replica replica) {
    String existing = map.putIfAbsent(KEY, encode(replica));
    return existing == null ? new Entry(replica, 0) : entry(existing);
  }

  private static Entry entry(String json) {
    return new Entry(decode(json), offStamp(json));
  }

  /**
   * Stores a local change, made on {@code base}, as the cluster's next version: as it is when the cluster
   * still holds {@code base} (renumbered just after the stored version if that is not older), else merged
   * with what the cluster holds ({@link ChaosMerge}), so a change another node made meanwhile is kept.
   * Answers what was stored.
   */
  Entry store(ChaosState.Replica base, ChaosState.Replica replica) {
    while (true) {
      String current = map.get(KEY);
      ChaosState.Replica theirs = readable(current);
      long currentVersion = theirs == null ? 0 : theirs.version();
      long switchedOff = theirs == null ? 0 : switchedOffAt(current);
      long offStamp = theirs == null ? 0 : offStamp(current);
      ChaosState.Replica mine = replica;
      if (switchedOff > base.version() && replica.config().enabled() && !base.config().enabled()) {
        // switched on before a switch-off it had not seen (a kill switch elsewhere), and stored only now (it waited out
        // a store that failed, for a heartbeat to offer it again): it switched chaos back on behind the kill switch
        mine = new ChaosState.Replica(replica.config().withEnabled(false), replica.scenario(), replica.beforeScenario(), replica.version());
      }
      ChaosState.Replica stored;
      if (theirs == null || theirs.version() == base.version() && theirs.config().equals(base.config())) {
        stored = mine.version() > currentVersion ? mine
            : new ChaosState.Replica(mine.config(), mine.scenario(), mine.beforeScenario(), currentVersion + 1);
      } else {
        stored = ChaosMerge.merge(base, mine, theirs, Math.max(currentVersion, mine.version()) + 1);
      }
      boolean switchesOff = base.config().enabled() && !mine.config().enabled();
      // later than any switch-off the entry knows of, whatever this node's clock says
      long stamp = switchesOff ? Math.max(System.currentTimeMillis(), offStamp + 1) : offStamp;
      String json = encode(stored, switchesOff ? stored.version() : switchedOff, stamp);
      boolean done = current == null ? map.putIfAbsent(KEY, json) == null : map.replace(KEY, current, json);
      if (done) {
        if (mine != replica && !stored.config().enabled()) { // (a switch-on merged after the kill switch stands)
          LOG.warning(() -> "a switch-on made on version " + base.version() + " is stored with chaos off: the cluster's"
              + " chaos was switched off at version " + switchedOff + ", after it (a kill switch on another node); its"
              + " other changes are kept. Switch chaos on again if it is still wanted");
        }
        return new Entry(stored, stamp);
      }
    }
  }

  /** A stored entry; null for none or for one that does not pass {@link #decode} (a change replaces it). */
  private static ChaosState.Replica readable(String stored) {
    if (stored == null) {
      return null;
    }
    try {
      return decode(stored);
    } catch (ChaosConfigException e) {
      return null;
    }
  }

  static String encode(ChaosState.Replica replica) {
    return encode(replica, 0, 0);
  }

  /**
   * {@code switchedOffAt}: the version of the last change that switched chaos off (0: none known), kept for {@link #store};
   * {@code offStamp}: when it was made ({@link Entry}).
   */
  private static String encode(ChaosState.Replica replica, long switchedOffAt, long offStamp) {
    JsonObject json = new JsonObject()
        .put("version", replica.version())
        .put("config", new JsonObject(ChaosJson.toMap(replica.config())))
        .put("scenario", replica.scenario());
    if (replica.beforeScenario() != null) {
      json.put("before_scenario", new JsonObject(ChaosJson.toMap(replica.beforeScenario())));
    }
    if (switchedOffAt > 0) {
      json.put("switched_off_at", switchedOffAt);
    }
    if (offStamp > 0) {
      json.put("switched_off_ms", offStamp);
    }
    return json.encode();
  }

  /** When the last switch-off was made, as a stored entry says (0: none known, or not readable). */
  private static long offStamp(String stored) {
    try {
      return new JsonObject(stored).getValue("switched_off_ms") instanceof Number n ? n.longValue() : 0;
    } catch (DecodeException e) {
      return 0;
    }
  }

  /** The version of the last change that switched chaos off, as a stored entry says (0: none, or not readable). */
  private static long switchedOffAt(String stored) {
    try {
      return new JsonObject(stored).getValue("switched_off_at") instanceof Number n ? n.longValue() : 0;
    } catch (DecodeException e) {
      return 0;
    }
  }

  /** Reads a stored state, checking it as a PUT would be checked: a bad one is a {@link ChaosConfigException}. */
  static ChaosState.Replica decode(String text) {
    JsonObject json;
    try {
      json = new JsonObject(text);
    } catch (DecodeException e) {
      throw new ChaosConfigException("", "the shared chaos state is not JSON");
    }
    if (!(json.getValue("version") instanceof Number n) || n.longValue() < 1 || n.longValue() > MAX_VERSION
        || n.doubleValue() != n.longValue()) {
      throw new ChaosConfigException("version", "must be a whole number from 1 to " + MAX_VERSION + ", got " + json.getValue("version"));
    }
    if (json.getValue("scenario") != null && !(json.getValue("scenario") instanceof String)) {
      throw new ChaosConfigException("scenario", "must be a string");
    }
    ChaosConfig config = ChaosJson.convert(object(json, "config"), ChaosConfig.class, "config");
    ChaosConfig before = json.getValue("before_scenario") == null ? null
        : ChaosJson.convert(object(json, "before_scenario"), ChaosConfig.class, "before_scenario");
    return new ChaosState.Replica(config, json.getString("scenario"), before, n.longValue());
  }

  private static Object object(JsonObject json, String field) {
    if (!(json.getValue(field) instanceof JsonObject object)) {
      throw new ChaosConfigException(field, "must be an object");
    }
    return object.getMap();
  }
}
