package io.faultline.history.experiment;

import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.state.ChaosState;
import io.faultline.history.Params;
import io.faultline.history.store.HistoryStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * A/B tests and breaking-point searches: long jobs started by a request and followed by polling. One
 * runs at a time on a node (both steer the chaos the whole cluster shares). Each is kept in the store
 * as {@code {id, kind, status: running|succeeded|failed, started_at, ended_at, request, progress,
 * result, error}}, written when it starts, as it progresses and when it ends.
 */
public final class Experiments {

  private static final Logger LOG = Logger.getLogger(Experiments.class.getName());

  private final HistoryStore store;
  private JsonObject running;

  public Experiments(HistoryStore store) {
    this.store = store;
  }

  /** A running experiment's handle: what it reports as it goes. */
  public final class Handle {
    private final JsonObject doc;

    Handle(JsonObject doc) {
      this.doc = doc;
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

  /** Starts {@code job} unless another experiment runs; answers the experiment as it starts. */
  public Future<JsonObject> start(String kind, JsonObject request, Function<Handle, Future<JsonObject>> job) {
    if (running != null) {
      throw new ChaosConfigException("experiment", "experiment " + running.getString("id") + " (" + running.getString("kind")
          + ") is running; wait for it to end");
    }
    JsonObject doc = new JsonObject().put("id", kind + "-" + UUID.randomUUID().toString().substring(0, 8)).put("kind", kind)
        .put("status", "running").put("started_at", System.currentTimeMillis()).put("request", request);
    running = doc;
    Handle handle = new Handle(doc);
    return store.putExperiment(doc.copy()).onSuccess(v -> {
      Future<JsonObject> result;
      try {
        result = job.apply(handle);
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onComplete(ar -> {
        doc.put("ended_at", System.currentTimeMillis()).put("status", ar.succeeded() ? "succeeded" : "failed");
        if (ar.succeeded()) {
          doc.put("result", ar.result());
        } else {
          doc.put("error", ar.cause().getMessage());
          LOG.warning(() -> kind + " " + doc.getString("id") + " failed: " + ar.cause().getMessage());
        }
        running = null;
        store.putExperiment(doc.copy());
      });
    }).recover(e -> {
      running = null;
      return Future.failedFuture(e);
    }).map(v -> doc.copy());
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
