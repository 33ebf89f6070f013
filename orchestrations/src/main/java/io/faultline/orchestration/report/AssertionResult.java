package io.faultline.orchestration.report;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** One assertion checked: its type, whether it passed, and what was seen against what was expected. */
public record AssertionResult(String type, boolean passed, String message) {

  public JsonObject toJson() {
    return new JsonObject().put("type", type).put("passed", passed).put("message", message);
  }

  /** Reads what {@link #toJson} wrote; missing fields read as empty (a report from elsewhere may lack them). */
  public static AssertionResult fromJson(JsonObject json) {
    return new AssertionResult(json.getString("type", ""), Boolean.TRUE.equals(json.getValue("passed")),
        json.getValue("message") == null ? "" : String.valueOf(json.getValue("message")));
  }

  static JsonArray toJson(List<AssertionResult> list) {
    JsonArray out = new JsonArray();
    list.forEach(a -> out.add(a.toJson()));
    return out;
  }

  static List<AssertionResult> fromJson(JsonArray array) {
    List<AssertionResult> out = new ArrayList<>();
    if (array != null) {
      array.forEach(o -> {
        if (o instanceof JsonObject a) {
          out.add(fromJson(a));
        }
      });
    }
    return out;
  }
}
