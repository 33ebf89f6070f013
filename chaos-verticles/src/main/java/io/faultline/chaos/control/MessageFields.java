package io.faultline.chaos.control;

import io.faultline.chaos.config.ChaosConfigException;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Checks of a control message's body that every handler of the control surface makes the same way. */
public final class MessageFields {

  private MessageFields() {
  }

  /**
   * {@code body}, refused naming the first field it has beyond {@code fields} (it would be ignored: a script's typo,
   * unsaid); an empty object for none, so the handler names the field it lacks (a message with no body was a 500).
   */
  public static JsonObject only(JsonObject body, String... fields) {
    if (body == null) {
      return new JsonObject();
    }
    for (String key : body.fieldNames()) {
      if (!List.of(fields).contains(key)) {
        throw new ChaosConfigException(key, "unknown field; expected " + String.join(", ", fields));
      }
    }
    return body;
  }
}
