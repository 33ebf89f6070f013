package io.faultline.admin.api;

import io.faultline.chaos.control.ControlError;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The admin API's errors: a fixed set of statuses, each answered as {@code {"error", "field"}} JSON.
 * Control failures arrive from the event bus already in that shape with their status as failure code.
 */
public final class ApiError {

  private static final Logger LOG = Logger.getLogger(ApiError.class.getName());

  private ApiError() {
  }

  public static void send(RoutingContext ctx, int status, String error, String field) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .end(ControlError.body(error, field).encode());
  }

  public static void badRequest(RoutingContext ctx, String error, String field) {
    send(ctx, 400, error, field);
  }

  /** Answers for a failed event-bus request: its code and JSON when it is a control failure, else 503 or 500. */
  public static void fromFailure(RoutingContext ctx, Throwable failure) {
    if (failure instanceof ReplyException reply) {
      if (reply.failureType() == ReplyFailure.RECIPIENT_FAILURE && reply.failureCode() >= 400 && reply.failureCode() < 600) {
        String message = reply.getMessage();
        JsonObject body = message != null && message.startsWith("{") ? new JsonObject(message) : ControlError.body(message, null);
        send(ctx, reply.failureCode(), body.getString("error"), body.getString("field"));
        return;
      }
      if (reply.failureType() == ReplyFailure.NO_HANDLERS) {
        send(ctx, 503, "nothing answers " + ctx.request().path() + " on this node", null);
        return;
      }
      if (reply.failureType() == ReplyFailure.TIMEOUT) {
        send(ctx, 504, "the control plane did not answer in time", null);
        return;
      }
    }
    LOG.log(Level.SEVERE, "admin request " + ctx.request().method() + " " + ctx.request().path() + " failed", failure);
    send(ctx, 500, "internal error", null);
  }
}
