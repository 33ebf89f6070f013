package io.faultline.admin.api;

import io.faultline.chaos.config.ChaosConfigException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Represent;
import org.yaml.snakeyaml.representer.Representer;

/**
 * An orchestration file as YAML or as JSON, the same document either way: the console's builder edits
 * the JSON tree and saves it as YAML, and downloads convert. Two files are equivalent when their
 * {@link #tree}s are equal: the same fields and values, whole numbers as whole numbers ({@code 200.0}
 * and {@code 200} are one value, as in JavaScript); comments, quoting and key style are not kept. Dates
 * stay the text they were written as (no YAML timestamps).
 */
public final class OrchestrationDocuments {

  private OrchestrationDocuments() {
  }

  /**
   * The document of {@code text} (JSON when it starts with <code>{</code>, else YAML) as maps, lists and
   * scalars, numbers as {@code Long} when whole (and within range), else {@code Double}.
   */
  public static Object tree(String text) {
    String trimmed = text == null ? "" : text.stripLeading();
    if (trimmed.isEmpty()) {
      throw new ChaosConfigException("body", "the orchestration (YAML or JSON) is required");
    }
    // refused as the orchestration parser refuses it: 329 bytes of aliases expanded past the heap here
    io.faultline.orchestration.model.Problem refusal = io.faultline.orchestration.parse.OrchestrationParser.refusal(text);
    if (refusal != null) {
      String where = refusal.line() > 0 ? "line " + refusal.line() + ": " : "";
      throw new ChaosConfigException(refusal.path(), where + refusal.message());
    }
    if (trimmed.startsWith("{")) {
      try {
        return plain(io.faultline.chaos.config.ChaosJson.readPlain(trimmed), "");
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new ChaosConfigException("body", io.faultline.chaos.config.ChaosJson.malformed(e));
      }
    }
    try {
      return plain(loader().load(text), "");
    } catch (MarkedYAMLException e) {
      throw new ChaosConfigException("body", "malformed YAML at line " + (e.getProblemMark() == null ? 0
          : e.getProblemMark().getLine() + 1) + ": " + e.getProblem());
    } catch (org.yaml.snakeyaml.error.YAMLException e) {
      throw new ChaosConfigException("body", "malformed YAML: " + e.getMessage());
    }
  }

  /** {@code text} written as indented JSON. */
  public static String toJson(String text) {
    Object tree = tree(text);
    return tree instanceof Map<?, ?> ? new JsonObject(cast(tree)).encodePrettily() + "\n" : Json.encodePrettily(tree) + "\n";
  }

  /** {@code text} written as block-style YAML, multi-line strings as literal blocks. */
  public static String toYaml(String text) {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setIndent(2);
    options.setIndicatorIndent(2);
    options.setIndentWithIndicator(true);
    options.setSplitLines(false);
    options.setWidth(160);
    return new Yaml(new LiteralBlocks(options), options).dump(tree(text));
  }

  private static Yaml loader() {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    DumperOptions unused = new DumperOptions();
    // numbers as a config file and an orchestration read them (010 stays text, not 8), and dates stay text
    return new Yaml(new SafeConstructor(options), new Representer(unused), unused, options,
        io.faultline.chaos.config.SafeYaml.resolver(false));
  }

  /** Vert.x and SnakeYAML values as plain maps, lists, strings, numbers and booleans, or an error naming the path. */
  private static Object plain(Object value, String path) {
    if (value instanceof JsonObject o) {
      return plain(o.getMap(), path);
    }
    if (value instanceof JsonArray a) {
      return plain(a.getList(), path);
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put(String.valueOf(k), plain(v, path.isEmpty() ? String.valueOf(k) : path + "." + k)));
      return out;
    }
    if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        out.add(plain(list.get(i), path + "[" + i + "]"));
      }
      return out;
    }
    if (value instanceof Double d && (d.isNaN() || d.isInfinite()) || value instanceof Float f && (f.isNaN() || f.isInfinite())) {
      throw new ChaosConfigException(path, "is " + value + ", which JSON cannot hold");
    }
    if (value instanceof Number n) {
      return number(n);
    }
    if (value == null || value instanceof String || value instanceof Boolean) {
      return value;
    }
    throw new ChaosConfigException(path, "holds a " + value.getClass().getSimpleName() + ", which an orchestration cannot use");
  }

  private static Object number(Number n) {
    if (n instanceof java.math.BigInteger big) {
      return big.bitLength() < 64 ? (Object) big.longValue() : big;
    }
    if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte) {
      return n.longValue();
    }
    double d = n.doubleValue();
    return d == Math.rint(d) && Math.abs(d) < 9.0e15 ? (Object) (long) d : (Object) d;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cast(Object tree) {
    return (Map<String, Object>) tree;
  }

  /** Strings with line breaks as {@code |} blocks, the way people write commands and bodies by hand. */
  private static final class LiteralBlocks extends Representer {
    LiteralBlocks(DumperOptions options) {
      super(options);
      Represent plainStrings = representers.get(String.class);
      representers.put(String.class, data -> {
        String s = (String) data;
        return s.contains("\n") && !s.contains("\r") ? representScalar(Tag.STR, s, DumperOptions.ScalarStyle.LITERAL)
            : plainStrings.representData(data);
      });
    }
  }
}
