package io.faultline.admin.toxiproxy;

import io.faultline.chaos.config.ChaosConfigException;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Toxiproxy API's errors, in Toxiproxy's shape {@code {"error": "...", "status": N}} with its statuses
 * and messages ({@code api.go}'s {@code ErrProxyNotFound} and the rest), each followed by what exactly was
 * wrong, as Toxiproxy joins a decoding error to "bad request body". Anything else is a logged 500.
 */
final class ToxiproxyError extends RuntimeException {

  private static final Logger LOG = Logger.getLogger(ToxiproxyError.class.getName());

  final int status;

  private ToxiproxyError(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  static ToxiproxyError badBody(String detail) {
    return new ToxiproxyError(400, "bad request body: " + detail);
  }

  static ToxiproxyError missingField(String field) {
    return new ToxiproxyError(400, "missing required field: " + field);
  }

  static ToxiproxyError proxyNotFound(String name) {
    return new ToxiproxyError(404, "proxy not found: " + name);
  }

  static ToxiproxyError proxyExists(String name) {
    return new ToxiproxyError(409, "proxy already exists: " + name);
  }

  static ToxiproxyError invalidStream(Object stream) {
    return new ToxiproxyError(400, "stream was invalid, can be either upstream or downstream: got " + stream);
  }

  static ToxiproxyError invalidToxicType(Object type, Object known) {
    return new ToxiproxyError(400, "invalid toxic type: " + type + " (expected one of " + known + ")");
  }

  static ToxiproxyError toxicExists(String name) {
    return new ToxiproxyError(409, "toxic already exists: " + name);
  }

  static ToxiproxyError toxicNotFound(String name) {
    return new ToxiproxyError(404, "toxic not found: " + name);
  }

  static ToxiproxyError of(int status, String message) {
    return new ToxiproxyError(status, message);
  }

  /** {@code failure} as an error of this API: config errors are bad bodies naming the field; control failures keep their status. */
  static ToxiproxyError from(Throwable failure) {
    if (failure instanceof ToxiproxyError e) {
      return e;
    }
    if (failure instanceof ChaosConfigException e) {
      return badBody(named(e.field(), e.getMessage()));
    }
    if (failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE
        && reply.failureCode() >= 400 && reply.failureCode() < 500 && reply.getMessage() != null && reply.getMessage().startsWith("{")) {
      JsonObject body = new JsonObject(reply.getMessage());
      String detail = named(body.getString("field"), body.getString("error"));
      return reply.failureCode() == 400 ? badBody(detail) : new ToxiproxyError(reply.failureCode(), detail);
    }
    if (failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS) {
      return new ToxiproxyError(503, "this node runs no listeners to make proxies of");
    }
    LOG.log(Level.SEVERE, "Toxiproxy API request failed", failure);
    return new ToxiproxyError(500, "internal error");
  }

  private static String named(String field, String message) {
    return field == null || field.isEmpty() ? message : field + ": " + message;
  }

  JsonObject body() {
    return new JsonObject().put("error", getMessage()).put("status", status);
  }
}
