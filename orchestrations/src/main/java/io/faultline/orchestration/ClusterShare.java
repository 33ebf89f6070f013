package io.faultline.orchestration;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * How a node joins what the cluster shares (library changes, reports): it listens on {@code updates}
 * first, then asks {@code sync} once and hands the answer to {@code adopt} (no answer: it is the first
 * node), and only then answers later joiners on {@code sync} with {@code snapshot} (so it never asks itself).
 */
final class ClusterShare {

  private ClusterShare() {
  }

  static Future<Void> join(Vertx vertx, String updates, Consumer<JsonObject> onUpdate, String sync, Consumer<JsonArray> adopt,
      Supplier<JsonArray> snapshot) {
    return vertx.eventBus().<JsonObject>consumer(updates, message -> onUpdate.accept(message.body())).completion()
        .compose(v -> vertx.eventBus().<JsonObject>request(sync, new JsonObject(), new DeliveryOptions().setSendTimeout(5_000))
            .onSuccess(reply -> adopt.accept(reply.body().getJsonArray("items", new JsonArray())))
            .<Void>mapEmpty()
            .recover(e -> Future.succeededFuture()))
        .compose(v -> vertx.eventBus().<JsonObject>consumer(sync,
            message -> message.reply(new JsonObject().put("items", snapshot.get()))).completion());
  }
}
