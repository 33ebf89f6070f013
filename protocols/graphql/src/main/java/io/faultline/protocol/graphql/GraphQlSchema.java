package io.faultline.protocol.graphql;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the gateway knows of an upstream's schema, from its introspection: the root type of each
 * operation type and the type of every field of every type, wrappers ({@code NON_NULL}, {@code LIST})
 * included. That is enough to propagate a nulled field's null as GraphQL does: up to the nearest
 * parent that may be null.
 */
record GraphQlSchema(Map<String, String> roots, Map<String, Map<String, JsonObject>> fields) {

  /** The introspection the gateway sends: roots, and every field's type five wrappers deep. */
  static final String INTROSPECTION_QUERY = "query FaultlineIntrospection { __schema {"
      + " queryType { name } mutationType { name } subscriptionType { name }"
      + " types { name fields(includeDeprecated: true) { name type { ...T } } } } }"
      + " fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name"
      + " ofType { kind name ofType { kind name } } } } } }";

  /** Reads an introspection response ({@code {"data": {"__schema": ...}}}); null if it holds no schema. */
  static GraphQlSchema fromIntrospection(JsonObject response) {
    JsonObject data = response == null ? null : response.getJsonObject("data");
    JsonObject schema = data == null ? null : data.getJsonObject("__schema");
    if (schema == null || !(schema.getValue("types") instanceof JsonArray types)) {
      return null;
    }
    Map<String, String> roots = new HashMap<>();
    for (String operation : List.of("query", "mutation", "subscription")) {
      if (schema.getValue(operation + "Type") instanceof JsonObject root && root.getValue("name") instanceof String name) {
        roots.put(operation, name);
      }
    }
    Map<String, Map<String, JsonObject>> fields = new HashMap<>();
    for (Object entry : types) {
      if (entry instanceof JsonObject type && type.getValue("name") instanceof String name
          && type.getValue("fields") instanceof JsonArray list) {
        Map<String, JsonObject> byName = new HashMap<>();
        for (Object field : list) {
          if (field instanceof JsonObject f && f.getValue("name") instanceof String fieldName
              && f.getValue("type") instanceof JsonObject fieldType) {
            byName.put(fieldName, fieldType);
          }
        }
        fields.put(name, byName);
      }
    }
    return new GraphQlSchema(roots, fields);
  }

  /**
   * The type of the value at each step of {@code path} (response keys and list indexes) for a field
   * reached through {@code names} (field names, one per key) from the root of {@code operationType};
   * null if the schema cannot place it (a field it does not declare on that type, as one selected
   * through a fragment on a more specific type may be).
   */
  JsonObject[] typesAlong(String operationType, List<String> names, List<Object> path) {
    String parent = roots.get(operationType);
    JsonObject[] types = new JsonObject[path.size()];
    JsonObject current = null;
    int field = 0;
    for (int i = 0; i < path.size(); i++) {
      if (path.get(i) instanceof Integer) {
        JsonObject list = unwrapNonNull(current);
        current = list != null && "LIST".equals(list.getString("kind")) ? list.getJsonObject("ofType") : null;
      } else {
        Map<String, JsonObject> declared = parent == null || field >= names.size() ? null : fields.get(parent);
        current = declared == null ? null : declared.get(names.get(field++));
        parent = current == null ? null : namedType(current);
      }
      if (current == null) {
        return null;
      }
      types[i] = current;
    }
    return types;
  }

  static boolean isNonNull(JsonObject type) {
    return "NON_NULL".equals(type.getString("kind"));
  }

  private static JsonObject unwrapNonNull(JsonObject type) {
    return type != null && isNonNull(type) ? type.getJsonObject("ofType") : type;
  }

  private static String namedType(JsonObject type) {
    JsonObject t = type;
    while (t != null && t.getValue("ofType") instanceof JsonObject inner) {
      t = inner;
    }
    return t == null ? null : t.getString("name");
  }
}
