package io.faultline.protocol.graphql;

import io.faultline.chaos.engine.Decision;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes a GraphQL response look as if some fields failed to resolve: each targeted field is set to
 * null wherever it appears in {@code data} (in every element of the lists above it) and an error is
 * added per nulled place, with the {@code path} of response keys and list indexes that GraphQL
 * clients use to find it. Null does not propagate to a non-null parent: the gateway has no schema.
 */
final class FieldNulling {

  private FieldNulling() {
  }

  /** Applies {@code errors} to {@code response} in place; answers how many places were nulled. */
  static int apply(JsonObject response, List<Decision.FieldError> errors, ParsedOperation operation) {
    if (!(response.getValue("data") instanceof JsonObject data)) {
      return 0;
    }
    JsonArray errorList = response.getValue("errors") instanceof JsonArray existing ? existing : new JsonArray();
    int nulled = 0;
    for (Decision.FieldError error : errors) {
      for (List<String> keys : operation.responseKeys().getOrDefault(error.field(), List.of())) {
        List<List<Object>> paths = new ArrayList<>();
        nullOut(data, keys, 0, new ArrayList<>(), paths);
        for (List<Object> path : paths) {
          errorList.add(new JsonObject()
              .put("message", error.message())
              .put("path", new JsonArray(path))
              .put("extensions", new JsonObject().put("code", error.code()).put("faultline", "graphql_field")));
        }
        nulled += paths.size();
      }
    }
    if (nulled > 0) {
      response.put("errors", errorList);
    }
    return nulled;
  }

  private static void nullOut(Object node, List<String> keys, int index, List<Object> path, List<List<Object>> found) {
    if (node instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        path.add(i);
        nullOut(array.getValue(i), keys, index, path, found);
        path.remove(path.size() - 1);
      }
    } else if (node instanceof JsonObject object && object.containsKey(keys.get(index))) {
      String key = keys.get(index);
      path.add(key);
      if (index == keys.size() - 1) {
        object.putNull(key);
        found.add(List.copyOf(path));
      } else {
        nullOut(object.getValue(key), keys, index + 1, path, found);
      }
      path.remove(path.size() - 1);
    }
  }
}
