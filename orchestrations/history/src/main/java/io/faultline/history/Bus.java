package io.faultline.history;

import io.faultline.chaos.control.ControlError;
import io.faultline.history.store.Databases;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;

/**
 * Answers an address with a handler that may fail: its failure becomes the {@code {"error", "field"}} reply
 * REST shows, a 503 when the database is out of reach (a client may try again), not a 500.
 */
public final class Bus {

  private Bus() {
  }

  /** A node-local consumer on {@code address}: history answers what this node keeps. */
  public static MessageConsumer<JsonObject> answer(Vertx vertx, String address, Function<JsonObject, Future<JsonObject>> handler) {
    return vertx.eventBus().<JsonObject>localConsumer(address, message -> {
      Future<JsonObject> reply;
      try {
        reply = handler.apply(message.body() == null ? new JsonObject() : message.body());
      } catch (RuntimeException e) {
        ControlError.fail(message, e);
        return;
      }
      reply.onComplete(ar -> {
        if (ar.succeeded()) {
          message.reply(ar.result());
        } else {
          String outOfReach = Databases.outOfReach(ar.cause());
          if (outOfReach != null) {
            ControlError.fail(message, ControlError.UNAVAILABLE, outOfReach, null);
          } else {
            ControlError.fail(message, ar.cause());
          }
        }
      });
    });
  }
}
