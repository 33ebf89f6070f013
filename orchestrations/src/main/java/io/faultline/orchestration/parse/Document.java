package io.faultline.orchestration.parse;

import io.faultline.chaos.config.ChaosJson;
import io.faultline.orchestration.model.Problem;
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
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * An orchestration's text as plain maps and lists (JSON when it starts with <code>{</code>, else
 * YAML), with the line of every field path, or the problem that stops it being read.
 *
 * <p>YAML anchors and aliases are refused before anything is built: an alias is a reference, and a
 * document of a few hundred bytes whose aliases refer to aliases (a "billion laughs") expands to
 * billions of nodes in anything that walks it (SnakeYAML's cap of 50 aliases per document does not stop
 * one of 45). Orchestrations do not need them. So is text over {@link #MAX_CHARS}. A {@code refused}
 * document is one not read at all (as opposed to read and found wrong).
 */
record Document(Object tree, Map<String, Integer> lines, Problem problem, boolean refused) {

  /** The longest orchestration read (the REST API's body limit). */
  static final int MAX_CHARS = 1 << 20;

  /** Why {@code text} is not read at all (too long, or YAML anchors and aliases), or null when it would be read. */
  static Problem refusal(String text) {
    if (text != null && text.length() > MAX_CHARS) {
      return new Problem("text", 0, "an orchestration may be at most " + MAX_CHARS + " characters, got " + text.length());
    }
    if (text == null || text.stripLeading().startsWith("{")) {
      return null;
    }
    try {
      for (Event event : new Yaml(new SafeConstructor(new LoaderOptions())).parse(new StringReader(text))) {
        if (event instanceof AliasEvent || event instanceof NodeEvent node && node.getAnchor() != null) {
          return new Problem("text", event.getStartMark().getLine() + 1, "YAML anchors and aliases (&name, *name) are not"
              + " accepted in an orchestration (a few of them can expand to billions of values): write the values out");
        }
      }
    } catch (RuntimeException e) {
      return null; // malformed: read, and found so
    }
    return null;
  }

  static Document read(String text) {
    Problem refusal = refusal(text);
    if (refusal != null) {
      return new Document(null, Map.of(), refusal, true);
    }
    String trimmed = text == null ? "" : text.stripLeading();
    if (trimmed.startsWith("{")) {
      try {
        return new Document(plain(ChaosJson.readPlain(trimmed)), jsonLines(text), null, false);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        // the line in the text as given: the blank lines before its first brace count too
        int skipped = (int) text.substring(0, text.length() - trimmed.length()).chars().filter(c -> c == '\n').count();
        int line = ChaosJson.malformedLine(e);
        return failed(line == 0 ? 0 : line + skipped, ChaosJson.malformed(e, skipped));
      }
    }
    try {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(false); // two steps: keys, the second silently replacing the first, is a mistake to show
      // numbers as a config file reads them (SafeYaml): fixed_delay_ms: 010 was 8 ms here, refused there
      org.yaml.snakeyaml.DumperOptions unused = new org.yaml.snakeyaml.DumperOptions();
      Yaml yaml = new Yaml(new SafeConstructor(options), new org.yaml.snakeyaml.representer.Representer(unused), unused, options,
          io.faultline.chaos.config.SafeYaml.resolver(true));
      Object tree = yaml.load(text);
      Map<String, Integer> lines = new HashMap<>();
      Node root = yaml.compose(new StringReader(text));
      if (root != null) {
        positions(root, "", lines);
      }
      return new Document(plain(tree), lines, null, false);
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
      // a cron schedule written as crontab has it: YAML takes a leading * for an alias (it said only "unexpected character"),
      // and a leading @ is reserved
      if ("while scanning an alias".equals(e.getContext())) {
        return failed(line, "malformed YAML: a value starting with * is read as an alias (*name): quote it, as in"
            + " schedule: \"*/15 * * * *\"");
      }
      if (e.getProblem() != null && e.getProblem().contains("'@' that cannot start any token")) {
        return failed(line, "malformed YAML: a value cannot start with @ unquoted: quote it, as in schedule: \"@daily\"");
      }
      return failed(line, "malformed YAML: " + e.getProblem());
    } catch (RuntimeException e) {
      return failed(0, "malformed YAML: " + e.getMessage());
    }
  }

  /**
   * The line of every field path of JSON text that parsed, read by the YAML parser (JSON is YAML's flow
   * style), so problems in a JSON orchestration name their lines as in a YAML one; none if it cannot.
   */
  private static Map<String, Integer> jsonLines(String text) {
    try {
      Node root = new Yaml(new SafeConstructor(new LoaderOptions())).compose(new StringReader(text));
      Map<String, Integer> lines = new HashMap<>();
      if (root != null) {
        positions(root, "", lines);
      }
      return lines;
    } catch (RuntimeException e) {
      return Map.of(); // valid JSON YAML does not read (a tab where YAML wants none): problems then say line 0
    }
  }

  private static Document failed(int line, String message) {
    return new Document(null, Map.of(), new Problem("text", line, message), false); // the text as a whole
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
