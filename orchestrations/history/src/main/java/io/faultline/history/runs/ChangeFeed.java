package io.faultline.history.runs;

import io.faultline.chaos.control.Addresses;
import io.faultline.chaos.control.Ids;
import io.faultline.history.store.BoundedQueue;
import io.faultline.orchestration.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.function.Supplier;

/**
 * Keeps every chaos change ({@code change} of {@code faultline.chaos.changed}: what, when, where from)
 * and every chaos window: from the change that switched chaos on to the one that switched it off, with
 * the config it started with, how many changes it saw, and what this node's traffic saw during it.
 * With a shared database only the node that made a change (or closed a window) writes it, so each is
 * kept once (a window also by each node that stops while it is open: see {@link #stop}); with a database
 * per node, every node keeps them all.
 */
public final class ChangeFeed {

  private final Vertx vertx;
  private final BoundedQueue<JsonObject> changes;
  private final BoundedQueue<JsonObject> windows;
  private final boolean shared;
  private final Supplier<String> node;
  private JsonObject open;
  /** The open window's id is the one every node gives it ({@link #agreedId}): it was opened by a change, not at start. */
  private boolean openAgreed;

  public ChangeFeed(Vertx vertx, BoundedQueue<JsonObject> changes, BoundedQueue<JsonObject> windows, boolean shared,
      Supplier<String> node) {
    this.vertx = vertx;
    this.changes = changes;
    this.windows = windows;
    this.shared = shared;
    this.node = node;
  }

  public Future<Void> start() {
    Future<Void> listening = vertx.eventBus().<JsonObject>consumer(Addresses.CHAOS_CHANGED, m -> changed(m.body())).completion();
    // chaos may be on from the start (serve --chaos): that opens a window too
    return listening.compose(v -> vertx.eventBus().<JsonObject>request(Addresses.CHAOS_STATUS, new JsonObject()))
        .onSuccess(reply -> {
          if (open == null && reply.body().getBoolean("enabled", false)) {
            open = window(Ids.next("window"), System.currentTimeMillis(), "startup", null, reply.body().getJsonObject("config"));
            openAgreed = false;
          }
        }).<Void>mapEmpty().otherwiseEmpty();
  }

  private void changed(JsonObject status) {
    JsonObject change = status.getJsonObject("change");
    if (change == null) {
      return;
    }
    boolean mine = node.get().equals(change.getString("node"));
    if (!shared || mine) {
      changes.offer(change);
    }
    boolean enabled = status.getBoolean("enabled", false);
    long at = change.getLong("at", System.currentTimeMillis());
    if (enabled && open == null) {
      open = window(agreedId(change), at, change.getString("source"), change.getString("detail"), status.getJsonObject("config"));
      openAgreed = true;
    } else if (enabled) {
      open.put("changes", open.getInteger("changes") + 1);
    } else if (open != null) {
      JsonObject closed = open;
      open = null;
      if (!shared || mine) {
        keep(closed, at, change.getString("source"));
      }
    }
  }

  /**
   * The node is stopping: a window still open ends here, closed by {@code shutdown}, so a run of
   * {@code serve --chaos} (chaos on from start to stop, the usual CI shape) keeps its window too. In a
   * cluster with a shared database every node stopping writes a window a change opened, under the id all nodes
   * gave it ({@link #agreedId}): the latest end written wins, so the window ends at the last node's stop, or at
   * the change that switched chaos off on a node still running. It was left to the other nodes, and lost when
   * the whole cluster stopped with chaos on. A window each node opened at its own start (chaos on from the
   * config) has no id the nodes agree on: there it is still left to the others, as one row per node would
   * say the one period several times. Completes once the window is queued for the writer.
   */
  public Future<Void> stop() {
    JsonObject closed = open;
    open = null;
    if (closed == null || shared && vertx.isClustered() && !openAgreed) {
      return Future.succeededFuture();
    }
    return keep(closed, System.currentTimeMillis(), "shutdown");
  }

  /**
   * A window's id that every node gives the window {@code change} opened (the change as every node heard it: its node,
   * version, time and address), so that a shared database keeps each window once, whichever nodes write it.
   */
  static String agreedId(JsonObject change) {
    String opening = change.getString("node") + "\n" + change.getValue("version") + "\n" + change.getValue("at") + "\n"
        + change.getString("address");
    return "window-" + java.util.UUID.nameUUIDFromBytes(opening.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString()
        .replace("-", "").substring(0, 12);
  }

  /**
   * The window open now, if it began by {@code until}, as the kept ones are shown: {@code ended_at} null and what this
   * node's traffic saw so far; else null. Without it, asking for the last minutes while chaos was on found nothing.
   */
  public Future<JsonObject> openWindow(long until) {
    if (open == null || open.getLong("started_at") > until) {
      return Future.succeededFuture();
    }
    JsonObject shown = open.copy().put("ended_at", null);
    return figures(shown.getLong("started_at"), System.currentTimeMillis()).map(metrics -> shown.put("metrics",
        metrics.put("changes", shown.remove("changes")).put("closed_by", null).put("detail", shown.remove("detail"))));
  }

  /** What this node's traffic saw from {@code from} to {@code to}, or why that is not known. */
  private Future<JsonObject> figures(long from, long to) {
    return vertx.eventBus().<JsonObject>request(Metrics.WINDOW_ADDRESS, new JsonObject().put("from", from).put("to", to))
        .map(reply -> reply.body())
        .otherwise(e -> new JsonObject().put("error", "no traffic figures: " + e.getMessage()));
  }

  /** Queues {@code closed}, ended at {@code at} by {@code source}, with what this node's traffic saw during it. */
  private Future<Void> keep(JsonObject closed, long at, String source) {
    closed.put("ended_at", at).put("closed_by", source);
    return figures(closed.getLong("started_at"), at)
        .map(metrics -> {
          windows.offer(closed.put("metrics", metrics.put("changes", closed.remove("changes"))
              .put("closed_by", closed.remove("closed_by")).put("detail", closed.remove("detail"))));
          return null;
        });
  }

  private JsonObject window(String id, long at, String source, String detail, JsonObject config) {
    return new JsonObject().put("id", id).put("node", node.get())
        .put("started_at", at).put("source", source).put("detail", detail)
        .put("config", config == null ? new JsonObject() : config).put("changes", 0);
  }
}
