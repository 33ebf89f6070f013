package io.faultline.orchestration.parse;

import io.faultline.orchestration.model.Problem;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * An orchestration's text as plain maps and lists (JSON when it starts with <code>{</code>, else
 * YAML), with the line of every field path for YAML, or the problem that stops it being read.
 */
record Document(Object tree, Map<String, Integer> lines, Problem problem) {

  static Document read(String text) {
    String trimmed = text == null ? "" : text.stripLeading();
    if (trimmed.startsWith("{")) {
      try {
        return new Document(plain(Json.decodeValue(trimmed)), Map.of(), null);
      } catch (DecodeException e) {
        return failed(0, "malformed JSON: " + e.getMessage());
      }
    }
    try {
      Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
      Object tree = yaml.load(text);
      Map<String, Integer> lines = new HashMap<>();
      Node root = yaml.compose(new StringReader(text));
      if (root != null) {
        positions(root, "", lines);
      }
      return new Document(plain(tree), lines, null);
    } catch (MarkedYAMLException e) {
      return failed(e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1, "malformed YAML: " + e.getProblem());
    } catch (RuntimeException e) {
      return failed(0, "malformed YAML: " + e.getMessage());
    }
  }

  private static Document failed(int line, String message) {
    return new Document(null, Map.of(), new Problem("", line, message));
  }

  private static void positions(Node node, String path, Map<String, Integer> lines) {
    lines.putIfAbsent(path, node.getStartMark().getLine() + 1);
    if (node instanceof MappingNode map) {
      for (NodeTuple tuple : map.getValue()) {
        if (tuple.getKeyNode() instanceof ScalarNode key) {
          String child = path.isEmpty() ? key.getValue() : path + "." + key.getValue();
          lines.put(child, key.getStartMark().getLine() + 1);
          positions(tuple.getValueNode(), child, lines);
        }
      }
    } else if (node instanceof SequenceNode seq) {
      for (int i = 0; i < seq.getValue().size(); i++) {
        positions(seq.getValue().get(i), path + "[" + i + "]", lines);
      }
    }
  }

  /** Vert.x JSON types as plain maps and lists, so YAML and JSON read the same. */
  static Object plain(Object value) {
    if (value instanceof JsonObject o) {
      return plain(o.getMap());
    }
    if (value instanceof JsonArray a) {
      return plain(a.getList());
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put(String.valueOf(k), plain(v)));
      return out;
    }
    if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      list.forEach(v -> out.add(plain(v)));
      return out;
    }
    return value;
  }
}
