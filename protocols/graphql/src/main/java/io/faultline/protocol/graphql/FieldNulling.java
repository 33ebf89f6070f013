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
 * clients use to find it. With the upstream's {@link GraphQlSchema}, the null then propagates as a
 * GraphQL server's would: a non-null field or list element that became null makes its parent null, up
 * to the nearest one that may be null, or to {@code data} itself. Without a schema (introspection off
 * upstream) or where the schema cannot place a field, the null stays where it was put.
 */
final class FieldNulling {

  private FieldNulling() {
  }

  /** Applies {@code errors} to {@code response} in place; answers how many places were nulled. {@code schema} may be null. */
  static int apply(JsonObject response, List<Decision.FieldError> errors, ParsedOperation operation, GraphQlSchema schema) {
    if (!(response.getValue("data") instanceof JsonObject data)) {
      return 0;
    }
    JsonArray errorList = response.getValue("errors") instanceof JsonArray existing ? existing : new JsonArray();
    // the places the upstream's own errors point at: one it nulled with an error of its own is not given a second
    java.util.Set<Object> failedUpstream = new java.util.HashSet<>();
    errorList.forEach(e -> {
      if (e instanceof JsonObject error && error.getValue("path") instanceof JsonArray path) {
        failedUpstream.add(path.getList());
      }
    });
    int nulled = 0;
    for (Decision.FieldError error : errors) {
      for (List<String> keys : operation.responseKeys().getOrDefault(error.field(), List.of())) {
        List<List<Object>> paths = new ArrayList<>();
        nullOut(data, keys, 0, new ArrayList<>(), paths, failedUpstream);
        List<String> fieldPath = List.of(error.field().split("\\."));
        List<String> names = fieldPath.subList(1, Math.min(fieldPath.size(), keys.size() + 1)); // field names, one per key
        for (List<Object> path : paths) {
          if (schema != null) {
            propagate(response, path, schema.typesAlong(operation.facts().type(), names, path));
          }
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

  /** {@code path}'s value was set to null; where its type says it may not be, its parent becomes null, and so on up. */
  private static void propagate(JsonObject response, List<Object> path, JsonObject[] types) {
    if (types == null) {
      return;
    }
    for (int k = path.size() - 1; k >= 0 && GraphQlSchema.isNonNull(types[k]); k--) {
      if (k == 0) {
        response.putNull("data");
        return;
      }
      if (!setNull(response.getValue("data"), path.subList(0, k))) {
        return; // a parent is null already
      }
    }
  }

  /** Sets the value at {@code path} under {@code node} to null; false if the path no longer leads anywhere. */
  private static boolean setNull(Object node, List<Object> path) {
    Object current = node;
    for (int i = 0; i < path.size() - 1; i++) {
      current = current instanceof JsonObject o && path.get(i) instanceof String key ? o.getValue(key)
          : current instanceof JsonArray a && path.get(i) instanceof Integer index && index < a.size() ? a.getValue(index) : null;
    }
    Object last = path.get(path.size() - 1);
    if (current instanceof JsonObject o && last instanceof String key && o.containsKey(key)) {
      o.putNull(key);
      return true;
    }
    if (current instanceof JsonArray a && last instanceof Integer index && index < a.size()) {
      a.set(index, null);
      return true;
    }
    return false;
  }

  private static void nullOut(Object node, List<String> keys, int index, List<Object> path, List<List<Object>> found,
      java.util.Set<Object> failedUpstream) {
    if (node instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        path.add(i);
        nullOut(array.getValue(i), keys, index, path, found, failedUpstream);
        path.remove(path.size() - 1);
      }
    } else if (node instanceof JsonObject object && object.containsKey(keys.get(index))) {
      String key = keys.get(index);
      path.add(key);
      if (index == keys.size() - 1) {
        if (object.getValue(key) != null || !failedUpstream.contains(path)) { // failed upstream already: left as it came
          object.putNull(key);
          found.add(List.copyOf(path));
        }
      } else {
        nullOut(object.getValue(key), keys, index + 1, path, found, failedUpstream);
      }
      path.remove(path.size() - 1);
    }
  }
}
