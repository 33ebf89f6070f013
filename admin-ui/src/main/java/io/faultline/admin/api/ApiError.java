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

  /** What an API error answers: the status and the {@code {"error", "field"}} body. */
  public record Answer(int status, String error, String field) {
  }

  /** Answers for a failed event-bus request: its code and JSON when it is a control failure, else 503 or 500. */
  public static void fromFailure(RoutingContext ctx, Throwable failure) {
    String path = ctx.request().path();
    Answer answer = answer(failure, path,
        path.startsWith("/api/history") || path.startsWith("/api/recorder") || path.startsWith("/api/analytics"));
    if (answer.status() == 500) {
      LOG.log(Level.SEVERE, "admin request " + ctx.request().method() + " " + ctx.request().path() + " failed", failure);
    }
    send(ctx, answer.status(), answer.error(), answer.field());
  }

  /**
   * The answer for a failed event-bus request for {@code target} (a REST path, an address): a control failure (a
   * recipient failure with a 4xx/5xx code) keeps its code and its {@code {"error", "field"}} JSON; no handler is 503,
   * which names {@code history.enabled} when the target is the history verticle's ({@code historys}); no answer in time
   * is 504; anything else is a 500 that says no more than "internal error".
   */
  public static Answer answer(Throwable failure, String target, boolean historys) {
    if (failure instanceof ReplyException reply) {
      if (reply.failureType() == ReplyFailure.RECIPIENT_FAILURE && reply.failureCode() >= 400 && reply.failureCode() < 600) {
        String message = reply.getMessage();
        JsonObject body;
        try {
          body = message != null && message.startsWith("{") ? new JsonObject(message) : ControlError.body(message, null);
        } catch (io.vertx.core.json.DecodeException e) {
          body = ControlError.body(message, null);
        }
        return new Answer(reply.failureCode(), body.getString("error"), body.getString("field"));
      }
      if (reply.failureType() == ReplyFailure.NO_HANDLERS) {
        // history, the flight recorder and analytics live in one verticle, absent with history switched off
        return historys
            ? new Answer(503, "history is off on this node (history.enabled: false): history, the flight recorder and analytics"
                + " run with it", "history.enabled")
            : new Answer(503, "nothing answers " + target + " on this node", null);
      }
      if (reply.failureType() == ReplyFailure.TIMEOUT) {
        return new Answer(504, "the control plane did not answer in time", null);
      }
    }
    if (failure instanceof io.netty.handler.codec.http.websocketx.WebSocketHandshakeException handshake) {
      return new Answer(400, "not a WebSocket handshake: " + handshake.getMessage(), null); // the client's mistake, not ours
    }
    return new Answer(500, "internal error", null);
  }
}
