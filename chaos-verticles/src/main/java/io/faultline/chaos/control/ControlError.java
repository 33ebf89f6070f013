package io.faultline.chaos.control;

import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.state.ChaosState;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one place control failures become event-bus failures: the failure code is the HTTP status the
 * REST layer answers with, the message is the {@code {"error", "field"}} JSON it sends.
 */
public final class ControlError {

  public static final int BAD_REQUEST = 400;
  public static final int NOT_FOUND = 404;
  public static final int CONFLICT = 409;
  public static final int INTERNAL = 500;
  public static final int UNAVAILABLE = 503;

  private static final Logger LOG = Logger.getLogger(ControlError.class.getName());

  private ControlError() {
  }

  public static JsonObject body(String error, String field) {
    JsonObject json = new JsonObject().put("error", error);
    if (field != null && !field.isEmpty()) {
      json.put("field", field);
    }
    return json;
  }

  public static void fail(Message<?> message, int code, String error, String field) {
    message.fail(code, body(error, field).encode());
  }

  /** What a failed request's reply says: the {@code error} of its {@code {"error", "field"}} JSON, else its message. */
  public static String reason(Throwable failure) {
    String message = String.valueOf(failure.getMessage());
    if (message.startsWith("{")) {
      try {
        return new JsonObject(message).getString("error", message);
      } catch (io.vertx.core.json.DecodeException notJson) {
        return message;
      }
    }
    return message;
  }

  /** A request that is sound but cannot be done now, because of something else going on (409): another run, another experiment. */
  public static final class Conflict extends RuntimeException {
    private final String field;

    public Conflict(String field, String message) {
      super(message, null, false, false);
      this.field = field;
    }

    public String field() {
      return field;
    }
  }

  /** Replies to {@code message} with the failure {@code error} stands for. */
  /** What the node could not store (a full disk, a file in the way): 500 with what and why; the change was not made. */
  public static final class NotStored extends RuntimeException {
    private final String field;

    public NotStored(String field, String message, Throwable cause) {
      super(message, cause);
      this.field = field;
    }

    public String field() {
      return field;
    }
  }

  public static void fail(Message<?> message, Throwable error) {
    if (error instanceof NotStored e) {
      LOG.log(Level.WARNING, e.getMessage(), e.getCause());
      fail(message, INTERNAL, e.getMessage(), e.field);
    } else if (error instanceof ChaosConfigException e) {
      fail(message, BAD_REQUEST, e.getMessage(), e.field());
    } else if (error instanceof ChaosState.NotFound e) {
      fail(message, NOT_FOUND, e.getMessage(), e.field());
    } else if (error instanceof Conflict e) {
      fail(message, CONFLICT, e.getMessage(), e.field);
    } else if (error instanceof ReplyException e && e.getMessage() != null && e.getMessage().startsWith("{")) {
      message.fail(e.failureCode(), e.getMessage());
    } else {
      LOG.log(Level.SEVERE, "control action on " + message.address() + " failed", error);
      fail(message, INTERNAL, "internal error: " + error, null);
    }
  }
}
