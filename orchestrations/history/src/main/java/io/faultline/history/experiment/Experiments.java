package io.faultline.history.experiment;

import io.faultline.chaos.control.ControlError;
import io.faultline.chaos.control.Ids;
import io.faultline.chaos.control.InternalAddresses;
import io.faultline.chaos.state.ChaosState;
import io.faultline.history.Params;
import io.faultline.history.store.HistoryStore;
import io.faultline.orchestration.OrchestratorVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * A/B tests and breaking-point searches: long jobs started by a request and followed by polling. One
 * runs at a time on a node (both steer the chaos the whole cluster shares). Each is kept in the store
 * as {@code {id, kind, status: running|succeeded|failed|stopped, started_at, ended_at, request, progress,
 * result, error}}, written when it starts, as it progresses and when it ends. A stop ({@link #stop})
 * ends it early: its job gives way, puts back what it changed and answers what it found so far.
 */
public final class Experiments {

  private static final Logger LOG = Logger.getLogger(Experiments.class.getName());

  private final Vertx vertx;
  private final HistoryStore store;
  private final Supplier<String> node;
  /** The experiment running on this node, or null; and what its end completes. */
  private Handle running;
  /**
   * The last experiment this node ended, as it ended: a stop that comes while its end is being stored is told it ended
   * (the stored row still said running, and the stop was answered that it runs on this very node: "stop it there").
   */
  private JsonObject lastEnded;
  /** The id of an experiment about to start ({@link #reserve}): it holds the chaos config already. */
  private String reserved;
  private Promise<JsonObject> ended;

  /** The id of a node given none (not in a cluster, no {@code --node-id}). */
  static final String STANDALONE = "local";

  /** The timer renewing this node's experiment's hold on the other nodes ({@link InternalAddresses#EXPERIMENT_HELD}), or -1. */
  private long renewing = -1;

  /** {@code node}: this node's id, kept with each experiment so a restart knows which of the running ones were its own. */
  public Experiments(Vertx vertx, HistoryStore store, Supplier<String> node) {
    this.vertx = vertx;
    this.store = store;
    this.node = node;
    // another node's experiment holds the chaos config the cluster shares: a run the leader starts here, a reload, or an
    // experiment of this node's is refused while it runs (each node's hold was its own, and a run started on the leader
    // during a search on another node took the search's step for the config to put back, leaving it on)
    vertx.eventBus().<JsonObject>consumer(InternalAddresses.EXPERIMENT_HELD, message -> {
      JsonObject notice = message.body();
      String id = notice.getString("id");
      if (id == null || node.get().equals(notice.getString("node"))) {
        return; // its own
      }
      if (notice.getBoolean("held", false)) {
        InternalAddresses.remoteExperimentHeld(vertx, id, System.currentTimeMillis() + 3 * InternalAddresses.EXPERIMENT_HOLD_RENEW_MS);
      } else {
        InternalAddresses.remoteExperimentReleased(vertx, id);
      }
    });
  }

  /** Tells the other nodes that experiment {@code id} holds the chaos config ({@code held}) or lets go. */
  private void announce(String id, boolean held) {
    vertx.eventBus().publish(InternalAddresses.EXPERIMENT_HELD, new JsonObject().put("id", id).put("node", node.get()).put("held", held));
  }

  /**
   * Experiments this node was running when it stopped end as {@code failed} ("interrupted"), so nothing
   * polls one for ever. With a store the cluster shares, only this node's own (by node id) are touched.
   */
  public Future<Void> interrupted(boolean shared) {
    // nodes that share the store without ids of their own are all "local": which running experiment is whose cannot be
    // told, and one such node's start marked another's, still running, failed
    boolean unnamed = shared && STANDALONE.equals(node.get());
    return store.experiments(1_000).compose(list -> {
      List<Future<Void>> marked = new ArrayList<>();
      for (JsonObject doc : list) {
        if (unnamed && "running".equals(doc.getString("status"))) {
          LOG.warning(() -> "experiment " + doc.getString("id") + " is running in the shared history database, by this node before it"
              + " stopped or by another: it is left as it is, as this node has no node id (give every node sharing the database"
              + " its own --node-id, and a restart marks its own experiments interrupted)");
          continue;
        }
        boolean ours = node.get().equals(doc.getString("node")) || !shared && doc.getString("node") == null;
        if ("running".equals(doc.getString("status")) && ours) {
          marked.add(store.putExperiment(doc.copy().put("status", "failed").put("ended_at", System.currentTimeMillis())
              .put("error", "interrupted: the node stopped while it ran")));
        }
      }
      return Future.all(marked).<Void>mapEmpty();
    }).otherwiseEmpty();
  }

  /** A running experiment's handle: what it reports as it goes, and whether it is asked to stop. */
  public final class Handle {
    private final JsonObject doc;
    private final Promise<Void> stop = Promise.promise();

    Handle(JsonObject doc) {
      this.doc = doc;
    }

    /** Completes when a stop is asked for: the job gives way at once (ends its wait, stops its run). */
    public Future<Void> stopAsked() {
      return stop.future();
    }

    /** Fails with {@link Stopped} if a stop was asked for: checked before each new step. */
    public Future<Void> goOn() {
      return stop.future().isComplete() ? Future.failedFuture(new Stopped(null)) : Future.succeededFuture();
    }

    public String id() {
      return doc.getString("id");
    }

    /** Replaces the progress shown while it runs, and saves it. */
    public Future<Void> progress(JsonObject progress) {
      doc.put("progress", progress);
      return store.putExperiment(doc.copy()).otherwiseEmpty();
    }
  }

  /**
   * How a job ends when asked to stop: with what it found so far ({@code partial}, null when nothing
   * useful), after it has put back what it changed.
   */
  public static final class Stopped extends RuntimeException {
    private final JsonObject partial;

    public Stopped(JsonObject partial) {
      super("stopped on request", null, false, false);
      this.partial = partial;
    }

    public JsonObject partial() {
      return partial;
    }
  }

  /** Throws the refusal (409) of a start while an experiment runs, or is about to, on this node. */
  public void refuseWhileOneRuns() {
    if (running != null) {
      throw new ControlError.Conflict("experiment", "experiment " + running.id() + " (" + running.doc.getString("kind")
          + ") is running; wait for it to end");
    }
    if (reserved != null) {
      throw new ControlError.Conflict("experiment", "experiment " + reserved + " is starting; wait for it to end");
    }
    Object elsewhere = InternalAddresses.experimentHolding(vertx); // no own one here: another node's
    if (elsewhere != null) {
      throw new ControlError.Conflict("experiment", "experiment " + elsewhere + " is running on another node of the cluster (it"
          + " sets the chaos config they share); wait for it to end, or stop it there");
    }
  }

  /**
   * Holds the chaos config for an experiment of {@code kind} about to start, before anything is asked of the
   * orchestrator: orchestration starts are refused (409) from now on, so a run cannot get in between the
   * check that none runs and the experiment's start. Answers the experiment's id, for {@link #start} or
   * {@link #release}. A breaking-point search sets the config itself, step by step, and an A/B test runs
   * orchestrations of its own, one after another: a run started meanwhile would take theirs for the config
   * to restore, or fail the test between two of its samples.
   */
  public String reserve(String kind) {
    refuseWhileOneRuns();
    reserved = Ids.next(kind);
    steering().put("experiment", reserved);
    announce(reserved, true);
    return reserved;
  }

  /** Lets go of reservation {@code id} when its experiment does not start after all. */
  public void release(String id) {
    if (id.equals(reserved)) {
      reserved = null;
      steering().remove("experiment", id);
      announce(id, false);
    }
  }

  /** Starts {@code job} as experiment {@code id}, {@link #reserve reserved} for it; answers the experiment as it starts. */
  public Future<JsonObject> start(String id, String kind, JsonObject request, Function<Handle, Future<JsonObject>> job) {
    if (!id.equals(reserved)) {
      throw new IllegalStateException("experiment " + id + " was not reserved"); // the hold comes first (reserve)
    }
    reserved = null;
    JsonObject doc = new JsonObject().put("id", id).put("kind", kind)
        .put("status", "running").put("started_at", System.currentTimeMillis()).put("node", node.get()).put("request", request);
    ended = Promise.promise();
    Promise<JsonObject> end = ended;
    Handle handle = new Handle(doc);
    running = handle;
    renewing = vertx.setPeriodic(InternalAddresses.EXPERIMENT_HOLD_RENEW_MS, t -> announce(id, true));
    return store.putExperiment(doc.copy()).onSuccess(v -> {
      Future<JsonObject> result;
      try {
        result = job.apply(handle);
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onComplete(ar -> {
        doc.put("ended_at", System.currentTimeMillis());
        if (ar.succeeded()) {
          doc.put("status", "succeeded").put("result", ar.result());
        } else if (ar.cause() instanceof Stopped stopped) {
          doc.put("status", "stopped").put("result", stopped.partial());
        } else {
          // the reason alone: a refusal that came over the event bus is its {"error", "field"} body
          String why = ControlError.reason(ar.cause());
          doc.put("status", "failed").put("error", why);
          LOG.warning(() -> kind + " " + doc.getString("id") + " failed: " + why);
        }
        lastEnded = doc.copy();
        ended();
        JsonObject last = doc.copy();
        store.putExperiment(last).onComplete(saved -> {
          end.complete(doc.copy()); // a stop is answered now; a store that could not take the end gets it again
          if (saved.failed()) {
            saveEnd(last, System.currentTimeMillis() + END_SAVE_MS, 500);
          }
        });
      });
    }).recover(e -> {
      ended();
      end.fail(e);
      return Future.failedFuture(e);
    }).map(v -> doc.copy());
  }

  /** How long an experiment's end is tried again when the store cannot take it: as long as the history writer tries. */
  static final long END_SAVE_MS = 5 * 60_000;

  /**
   * Saves an experiment's end again after {@code waitMs} (doubling, to 30 s) while the store refuses it, until
   * {@code deadline}: written once, it was lost when the database was down at that moment, and the experiment
   * showed "running" for good (a stop answered that it runs on its node). Completes when written or given up.
   */
  private Future<Void> saveEnd(JsonObject doc, long deadline, long waitMs) {
    Promise<Void> wait = Promise.promise();
    vertx.setTimer(waitMs, id -> wait.complete());
    return wait.future().compose(v -> store.putExperiment(doc)).recover(e -> {
      if (System.currentTimeMillis() + waitMs > deadline) {
        LOG.warning(() -> "the end of experiment " + doc.getString("id") + " (" + doc.getString("status") + ") could not be stored: "
            + e.getMessage());
        return Future.failedFuture(e);
      }
      LOG.warning(() -> "the end of experiment " + doc.getString("id") + " could not be stored yet, trying again: " + e.getMessage());
      return saveEnd(doc, deadline, Math.min(waitMs * 2, 30_000));
    });
  }

  private void ended() {
    String id = running == null ? null : running.id();
    running = null;
    if (renewing >= 0) {
      vertx.cancelTimer(renewing);
      renewing = -1;
    }
    if (id != null) {
      steering().remove("experiment", id);
      announce(id, false);
    }
  }

  /**
   * Asks the experiment {@code id} (or, with no id, whichever runs) to stop; answers it once it has ended
   * (its config put back, its partial result saved). One that has ended, or runs on another node, is a 409.
   */
  public Future<JsonObject> stop(JsonObject q) {
    Params.only(q, List.of("id"));
    String id = q.getValue("id") == null ? null : Params.required(q, "id", 64);
    if (running != null && (id == null || id.equals(running.id()))) {
      Future<JsonObject> end = ended.future();
      running.stop.tryComplete();
      return end;
    }
    if (id == null) {
      return Future.failedFuture(new ChaosState.NotFound("id", "no experiment is running on this node"));
    }
    if (lastEnded != null && id.equals(lastEnded.getString("id"))) {
      return Future.failedFuture(new ControlError.Conflict("id", "experiment " + id + " has ended (" + lastEnded.getString("status") + ")"));
    }
    return get(q).compose(doc -> Future.failedFuture(new ControlError.Conflict("id", "running".equals(doc.getString("status"))
        ? "experiment " + id + " runs on node " + doc.getString("node") + ": stop it there"
        : "experiment " + id + " has ended (" + doc.getString("status") + ")")));
  }

  /** The node-local flag orchestration starts look at ({@link OrchestratorVerticle#STEERING}). */
  private io.vertx.core.shareddata.LocalMap<Object, Object> steering() {
    return vertx.sharedData().getLocalMap(OrchestratorVerticle.STEERING);
  }

  public Future<JsonObject> get(JsonObject q) {
    String id = Params.required(q, "id", 64);
    return store.experiment(id).map(doc -> {
      if (doc == null) {
        throw new ChaosState.NotFound("id", "no experiment " + id);
      }
      return doc;
    });
  }

  public Future<JsonObject> list(JsonObject q) {
    return store.experiments(Params.integer(q, "limit", 50, 1, 1_000))
        .map(list -> new JsonObject().put("experiments", new JsonArray(list)));
  }
}
