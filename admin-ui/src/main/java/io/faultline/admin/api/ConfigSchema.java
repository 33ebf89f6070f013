package io.faultline.admin.api;

import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.config.ChaosJson;
import io.faultline.chaos.config.ChaosSections;
import io.faultline.chaos.config.RuleMatch;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;

/**
 * The fields of each chaos config section and of a rule's {@code match}, read from the config records
 * themselves, so a form can be drawn for a section that is not set yet: {@code {name, type, default}}
 * with {@code type} one of {@code boolean}, {@code integer}, {@code number}, {@code string},
 * {@code integers}, {@code numbers}, {@code strings}, {@code object} (anything else, edited as JSON).
 * The server stays the judge of values: the schema only says what to ask for.
 */
public final class ConfigSchema {

  private ConfigSchema() {
  }

  /** {@code {"sections": {NAME: [fields]}, "match": [fields]}}. */
  public static JsonObject describe() {
    JsonObject sections = new JsonObject();
    for (String name : ChaosSections.NAMES) {
      Class<?> type = ChaosJson.sectionType(name);
      sections.put(name, fields(type, defaults(type)));
    }
    return new JsonObject().put("sections", sections).put("match", fields(RuleMatch.class, Map.of()));
  }

  private static JsonArray fields(Class<?> record, Map<String, Object> defaults) {
    JsonArray out = new JsonArray();
    for (RecordComponent component : record.getRecordComponents()) {
      String name = snake(component.getName());
      out.add(new JsonObject().put("name", name).put("type", kind(component.getGenericType()))
          .put("default", defaults.get(name)));
    }
    return out;
  }

  /**
   * What a section holds when nothing is given: its record built from {@code {}}; a section that cannot be
   * on without a value (rate_limit needs requests_per_second) is asked again switched off.
   */
  private static Map<String, Object> defaults(Class<?> type) {
    try {
      return ChaosJson.toMap(ChaosJson.convert(Map.of(), type, ""));
    } catch (ChaosConfigException e) {
      try {
        Map<String, Object> off = new java.util.LinkedHashMap<>(ChaosJson.toMap(ChaosJson.convert(Map.of("enabled", false), type, "")));
        off.put("enabled", true);
        return off;
      } catch (ChaosConfigException again) {
        return Map.of();
      }
    }
  }

  private static String kind(Type type) {
    if (type instanceof ParameterizedType p && p.getRawType() == List.class) {
      Type element = p.getActualTypeArguments()[0];
      return element == Integer.class || element == Long.class ? "integers"
          : element == Double.class ? "numbers"
          : element == String.class ? "strings" : "object";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "boolean";
    }
    if (type == Integer.class || type == Long.class || type == int.class || type == long.class) {
      return "integer";
    }
    if (type == Double.class || type == double.class) {
      return "number";
    }
    return type == String.class ? "string" : "object";
  }

  private static String snake(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
  }
}
