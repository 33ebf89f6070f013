package io.faultline.gateway;

import io.faultline.chaos.config.ChaosJson;
import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.config.FileFingerprint;
import io.faultline.chaos.control.Addresses;
import io.faultline.chaos.control.InternalAddresses;
import io.faultline.chaos.control.ControlError;
import io.faultline.gateway.config.GatewayConfig;
import io.faultline.orchestration.OrchestratorVerticle;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Re-reads the config (file, environment, flags) on {@code faultline.config.reload} and, when the file
 * changes, every second: a valid chaos config becomes the new baseline on every listener without
 * dropping a connection; an invalid one is refused and nothing changes. Listener and admin changes
 * are reported as needing a restart.
 */
final class ConfigReloader extends VerticleBase {

  private static final Logger LOG = Logger.getLogger(ConfigReloader.class.getName());
  private static final long WATCH_INTERVAL_MS = 1_000;

  private final Path file;
  private final Supplier<GatewayConfig> loader;
  private final GatewayConfig running;
  /** What the file held when last looked at ({@link FileFingerprint}): a change of it is a change of the file. */
  private long lastSeen;
  /** The file's chaos as last applied (at start, then by each reload): a file change that leaves it the same applies nothing. */
  private JsonObject applied;
  /** The file's fingerprint a reload was last put off for (a run going on), so that is logged once, not every second. */
  private Long deferredFor;
  /** When the change held back ({@link #deferredFor}) was first seen: a kill switch after it keeps chaos off. */
  private long heldSince = -1;
  /** {@link #lastSeen} before the first look. */
  private static final long NEVER_SEEN = Long.MIN_VALUE;
  /** How a file with nothing to apply (empty, or comments only) is refused; the start warned of such a file already. */
  private static final class NothingToReload extends io.faultline.chaos.config.ChaosConfigException {
    NothingToReload(Path file, String why) {
      super("config", "the file " + file + why + ": nothing reloaded");
    }
  }
  /** A look at the file (and the reload it started) is under way: the next second's look waits for it. */
  private boolean watching;

  ConfigReloader(Path file, Supplier<GatewayConfig> loader, GatewayConfig running) {
    this.file = file;
    this.loader = loader;
    this.running = running;
    this.applied = chaosOf(running);
  }

  private static JsonObject chaosOf(GatewayConfig config) {
    return new JsonObject(ChaosJson.toMap(config.effectiveChaos()));
  }

  @Override
  public Future<?> start() {
    if (file != null) {
      // not the file as it is now: it was read before the start (a cluster join, every listener), and an edit made
      // meanwhile taken as the one running was never applied. The first look loads it, and applies it only if its chaos
      // is not what runs.
      lastSeen = NEVER_SEEN;
      vertx.setPeriodic(WATCH_INTERVAL_MS, id -> watch());
    }
    return vertx.eventBus().<JsonObject>localConsumer(Addresses.CONFIG_RELOAD, this::onReload).completion();
  }

  private void onReload(Message<JsonObject> message) {
    if (file == null) {
      ControlError.fail(message, ControlError.BAD_REQUEST, "the gateway was started without --config, there is no file to reload", "config");
      return;
    }
    reload(true, -1).onSuccess(message::reply).onFailure(error -> ControlError.fail(message, error));
  }

  /**
   * Every second: a changed file is reloaded, unless its chaos is what was last applied (a touch, a comment,
   * an editor's save of the same text: reloading would throw away the rules and sections set through the
   * API since), and not while an orchestration run or an experiment goes on (its end puts back the config
   * it found, which would undo the reload): then it is reloaded once they have ended.
   */
  private void watch() {
    if (watching) {
      // a big file takes more than the second between looks to load and apply: each look then started another
      // reload of the same change, and a late one undid the rules set through the API after the first had applied
      return;
    }
    watching = true;
    vertx.executeBlocking(() -> FileFingerprint.of(file.toString()), false).compose(seen -> {
      // An empty file is one caught between an editor's truncation and its write: it would mean every
      // default (chaos off, no rules). Wait for the write; its change is seen then.
      long modified = seen;
      if (modified == lastSeen || modified == FileFingerprint.EMPTY_FILE) {
        return Future.succeededFuture();
      }
      boolean first = lastSeen == NEVER_SEEN;
      return reload(false, deferredFor != null && deferredFor == modified ? heldSince : -1).onSuccess(result -> {
          lastSeen = modified;
          deferredFor = null; // applied (or judged): a later return to the same file is a change of its own, not this one
          heldSince = -1;
          if (!first || result.getBoolean("reloaded") || !result.getJsonArray("restart_required").isEmpty()) {
            LOG.info(() -> (result.getBoolean("reloaded") ? "reloaded " : "not reloaded ") + file + ": " + result.encode());
          }
        }).onFailure(error -> {
          if (error instanceof ControlError.Conflict) {
            if (deferredFor == null || deferredFor != modified) {
              deferredFor = modified;
              heldSince = System.currentTimeMillis();
              LOG.warning(() -> file + " changed; reloading it once this has ended: " + error.getMessage());
            }
            return; // looked at again next second
          }
          lastSeen = modified;
          if (first && error instanceof NothingToReload) {
            return; // a file of comments only, or empty, as the start read it: the start said so (a broken edit is said below)
          }
          LOG.warning(() -> "not reloading " + file + ": " + error.getMessage()
              + (error instanceof io.faultline.chaos.config.ChaosConfigException e ? " (" + e.field() + ")" : ""));
        });
    }).onComplete(done -> watching = false);
  }

  /**
   * Loads the file and makes its chaos the running baseline. {@code always}: a reload asked for applies even
   * a chaos that is the same (the answer's {@code reloaded} says whether it applied one). {@code heldSince}
   * (or -1): when this change was held back for a run; if chaos was switched off after that (the kill
   * switch, which also ended the run), it stays off: an edit made before an emergency stop does not undo it.
   */
  private Future<JsonObject> reload(boolean always, long heldSince) {
    return vertx.fileSystem().exists(file.toString()).compose(exists -> exists ? vertx.fileSystem().props(file.toString())
        : Future.failedFuture(new io.faultline.chaos.config.ChaosConfigException("config",
            "the file " + file + " is gone (deleted or moved away): nothing reloaded"))).compose(props -> props.size() > 0
        ? vertx.executeBlocking(() -> {
          if (!io.faultline.gateway.config.ConfigLoader.holdsSettings(file)) {
            // blank lines or comments only would mean every default (chaos off, no rules), as an empty file would
            throw new NothingToReload(file, " holds no settings (blank lines or comments only)");
          }
          return loader.get();
        }, false)
        : Future.failedFuture(new NothingToReload(file, " is empty (still being written?)"))).compose(next -> fromTheFile().compose(ours -> {
      JsonObject answer = new JsonObject().put("file", file.toString()).put("restart_required", new JsonArray(restartRequired(next)));
      JsonObject fromFile = chaosToApply(next, ours);
      if (!always && fromFile.equals(applied)) {
        return Future.succeededFuture(answer.put("reloaded", false).put("reason", "its chaos is what was last applied"));
      }
      String digest = digest(fromFile);
      return (always ? Future.<String>succeededFuture(null) : appliedBy(digest)).compose(node -> node != null
          ? Future.succeededFuture(appliedElsewhere(answer, fromFile, node))
          : notWhileSteered().compose(v -> switchedOffSince(heldSince)).compose(off -> {
        JsonObject chaos = off && fromFile.getBoolean("enabled", false) ? fromFile.copy().put("enabled", false) : fromFile;
        if (chaos != fromFile) {
          answer.put("kept_off", "chaos was switched off after this change was made, while a run held it back: it stays off");
        }
        // the digest goes in the change log (its detail): the other nodes of a cluster, whose copies of the file change
        // later, find it there and leave the cluster's chaos as it is by then
        return vertx.eventBus().<JsonObject>request(InternalAddresses.CHAOS_REBASE,
            new JsonObject().put("config", chaos).put("listeners", new JsonArray(List.copyOf(ours))),
            new io.vertx.core.eventbus.DeliveryOptions().addHeader(Addresses.SOURCE_HEADER, "reload:" + digest)).map(reply -> {
              applied = fromFile;
              return new JsonObject().put("reloaded", true).mergeIn(answer).put("version", reply.body().getLong("version"));
            });
      }));
    }));
  }

  /** A short digest of a file's chaos, as the change log names the reload that applied it. */
  private static String digest(JsonObject chaos) {
    try {
      byte[] sha = java.security.MessageDigest.getInstance("SHA-256").digest(chaos.encode().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(sha, 0, 8);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e); // every JDK has SHA-256
    }
  }

  /**
   * The node whose reload applied the chaos of {@code digest} last, when that is the newest reload in the (cluster's) change
   * log; else null. In a cluster every node watches its own copy of the file, and the copies change at different times (a
   * Kubernetes ConfigMap reaches each pod within a minute or so): each applied the same change again, for the whole
   * cluster, undoing what came between, a kill switch included.
   */
  private Future<String> appliedBy(String digest) {
    return vertx.eventBus().<JsonObject>request(Addresses.CHAOS_CHANGES, new JsonObject().put("limit", 200)).map(reply ->
        reply.body().getJsonArray("changes", new JsonArray()).stream().map(c -> (JsonObject) c)
            .filter(c -> "reload".equals(c.getString("source")) && InternalAddresses.CHAOS_REBASE.equals(c.getString("address")))
            .findFirst()
            .filter(c -> digest.equals(c.getString("detail")))
            .map(c -> c.getString("node", "another node"))
            .orElse(null));
  }

  private JsonObject appliedElsewhere(JsonObject answer, JsonObject fromFile, String node) {
    applied = fromFile;
    return answer.put("reloaded", false).put("reason", "node " + node + " applied this chaos from its copy of the file already:"
        + " the cluster runs it, with what changed since");
  }

  /** Whether chaos was switched off (the kill switch: {@code faultline.chaos.disable}) since {@code sinceMs} (-1: never asked). */
  private Future<Boolean> switchedOffSince(long sinceMs) {
    if (sinceMs < 0) {
      return Future.succeededFuture(false);
    }
    return vertx.eventBus().<JsonObject>request(Addresses.CHAOS_CHANGES, new JsonObject().put("limit", 200)).map(reply ->
        reply.body().getJsonArray("changes", new JsonArray()).stream().map(c -> (JsonObject) c)
            .anyMatch(c -> Addresses.CHAOS_DISABLE.equals(c.getString("address")) && c.getLong("at", 0L) >= sinceMs));
  }

  /**
   * Fails with a conflict while an orchestration run or a breaking-point search sets the chaos config: when
   * it ends it puts back the config it found, so a reload applied now would be lost.
   */
  private Future<Void> notWhileSteered() {
    Object experiment = io.faultline.chaos.control.InternalAddresses.experimentHolding(vertx);
    if (experiment != null) {
      return Future.failedFuture(new ControlError.Conflict("config", "experiment " + experiment
          + " is setting the chaos config; its end puts back the config it found, which would undo the reload"));
    }
    return vertx.eventBus().<JsonObject>request(OrchestratorVerticle.STATUS, new JsonObject())
        .map(reply -> reply.body())
        .otherwise(new JsonObject()) // no orchestrator answering: no run to wait for
        .compose(status -> status.getBoolean("is_running", false)
            ? Future.failedFuture(new ControlError.Conflict("config", "orchestration " + status.getString("name")
                + " is running; its end puts back the config it found, which would undo the reload"))
            : Future.succeededFuture());
  }

  private static List<io.faultline.chaos.config.ListenerConfig> withoutChaos(GatewayConfig config) {
    return config.listeners().stream().map(l -> l.withChaos(null)).toList();
  }

  /**
   * The top-level sections whose change the reload did not apply: everything but {@code chaos} (and the
   * listeners' own {@code chaos}) is read once at start, so each changed one is listed for a restart.
   */
  /**
   * The chaos a reload of {@code next} applies: the file's, with the own chaos of the listeners that run. A listener that
   * runs under a name the file has gets the file's (it applies live); one the file renamed or removed runs until a
   * restart and keeps the rule it has now (it went at once, so the running listener lost its chaos, and the new name's
   * rule matched nothing); a listener the file adds gets its rule when it starts. A listener added while the node runs
   * (the listeners API, a Toxiproxy proxy) is not the file's: the control verticle keeps its own chaos as it is when the
   * reload applies ({@link #fromTheFile}), which a reload used to drop, toxics, down switch and all.
   */
  private JsonObject chaosToApply(GatewayConfig next, java.util.Set<String> runs) {
    java.util.Set<String> inFile = next.listeners().stream().map(ListenerConfig::name).collect(java.util.stream.Collectors.toSet());
    JsonObject chaos = new JsonObject(ChaosJson.toMap(next.effectiveChaos(
        next.listeners().stream().filter(l -> runs.contains(l.name())).toList())));
    JsonArray rules = chaos.getJsonArray("rules", new JsonArray());
    java.util.Set<String> named = rules.stream().map(r -> ((JsonObject) r).getString("name")).collect(java.util.stream.Collectors.toSet());
    JsonArray now = applied.getJsonArray("rules", new JsonArray());
    for (String listener : runs) {
      String name = io.faultline.chaos.config.ChaosRule.LISTENER_PREFIX + listener;
      if (!inFile.contains(listener) && !named.contains(name)) {
        now.stream().map(r -> (JsonObject) r).filter(r -> name.equals(r.getString("name"))).findFirst().ifPresent(rules::add);
      }
    }
    return rules.isEmpty() ? chaos : chaos.put("rules", rules);
  }

  /**
   * The listeners running now that were started from the config file: a reload speaks for their own chaos, and for no
   * other listener's. Not those the file started, as such: one of them removed and added again through the API (or a
   * Toxiproxy populate) is the API's, and a reload dropped its toxics for the file's chaos.
   */
  private Future<java.util.Set<String>> fromTheFile() {
    java.util.Set<String> started = running.listeners().stream().map(ListenerConfig::name).collect(java.util.stream.Collectors.toSet());
    return vertx.eventBus().<JsonObject>request(Addresses.LISTENERS_LIST, new JsonObject())
        .map(reply -> reply.body().getJsonArray("listeners", new JsonArray()).stream().map(l -> (JsonObject) l)
            .filter(l -> "config".equals(l.getString("origin"))).map(l -> l.getString("name"))
            .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new)))
        .map(now -> (java.util.Set<String>) now)
        .otherwise(started); // no registry answering (a node without one): the file's as started
  }

  private List<String> restartRequired(GatewayConfig next) {
    return READ_AT_START.stream()
        .filter(section -> !java.util.Objects.equals(section.getValue().apply(next), section.getValue().apply(running)))
        .map(java.util.Map.Entry::getKey).toList();
  }

  /** The sections read once at start, by field name; a listener's own chaos is not one (it applies live, as a rule). */
  private static final List<java.util.Map.Entry<String, java.util.function.Function<GatewayConfig, Object>>> READ_AT_START = List.of(
      section("admin", GatewayConfig::admin), section("listeners", ConfigReloader::withoutChaos), section("cluster", GatewayConfig::cluster),
      section("bridge", GatewayConfig::bridge), section("orchestration", GatewayConfig::orchestration),
      section("metrics", GatewayConfig::metrics), section("tracing", GatewayConfig::tracing), section("toxiproxy", GatewayConfig::toxiproxy),
      section("history", GatewayConfig::history), section("recorder", GatewayConfig::recorder), section("analytics", GatewayConfig::analytics),
      section("state_dir", GatewayConfig::stateDir), section("shutdown_grace_ms", GatewayConfig::shutdownGraceMs));

  private static java.util.Map.Entry<String, java.util.function.Function<GatewayConfig, Object>> section(String field,
      java.util.function.Function<GatewayConfig, Object> read) {
    return java.util.Map.entry(field, read);
  }
}
