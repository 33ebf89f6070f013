package io.faultline.chaos.config;

import java.io.StringReader;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads YAML (and so JSON) that users send: plain data only (no tags that build objects), duplicate keys
 * refused, at most {@link #MAX_CHARS} characters, and anchors and aliases allowed only while the document
 * they expand to stays under {@link #MAX_NODES} nodes. SnakeYAML's own alias cap (50 per collection)
 * still lets a 600-byte "billion laughs" expand to billions of nodes; counting the expansion on the
 * composed node graph, before anything is built, bounds the work at a few milliseconds.
 */
public final class SafeYaml {

  /** The most nodes a document may expand to, aliases counted each time they are used. */
  public static final int MAX_NODES = 200_000;

  /** The longest document read, in characters. */
  public static final int MAX_CHARS = 4 * 1024 * 1024;

  private SafeYaml() {
  }

  /**
   * Parses one document into maps, lists and scalars (null for an empty one). A problem is a
   * {@link ChaosConfigException} on {@code field}, saying where ({@code what}, and the line when known).
   */
  public static Object load(String text, String what, String field) {
    if (text.length() > MAX_CHARS) {
      throw new ChaosConfigException(field, what + " is " + text.length() + " characters, more than the " + MAX_CHARS + " allowed");
    }
    try {
      Node root = yaml().compose(new StringReader(text));
      if (root == null) {
        return null;
      }
      Map<Node, Long> sizes = new IdentityHashMap<>();
      if (expanded(root, sizes, 0) > MAX_NODES) {
        // the nodes counted before the walk stopped: as many as the limit means the text itself is that large
        throw new ChaosConfigException(field, sizes.size() > MAX_NODES
            ? what + " holds more than " + MAX_NODES + " values, more than a config is read with; split it or trim it"
            : what + " expands to more than " + MAX_NODES + " values through its YAML anchors and aliases; write the values out or reuse fewer of them");
      }
      return yaml().load(text);
    } catch (MarkedYAMLException e) {
      Object json = json(text, field, what);
      if (json != null) {
        return json;
      }
      throw new ChaosConfigException(field, what + " line " + (e.getProblemMark().getLine() + 1) + ": " + e.getProblem());
    } catch (YAMLException e) {
      throw new ChaosConfigException(field, what + ": " + e.getMessage());
    }
  }

  /**
   * {@code text} read as JSON, when it is JSON that YAML cannot read (or null): JSON is YAML but for two things JSON
   * writers do, a tab in the white space ({@code jq --tab}, Go's {@code MarshalIndent} with a tab) and {@code \/} in
   * a string (PHP's {@code json_encode}), which SnakeYAML refuses. Held to the same number of values.
   */
  private static Object json(String text, String field, String what) {
    String start = text.stripLeading();
    if (!start.startsWith("{") && !start.startsWith("[")) {
      return null;
    }
    Object parsed;
    try {
      parsed = ChaosJson.readPlain(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
      return null; // not JSON either: YAML's problem is the one said
    }
    if (values(parsed, 0) > MAX_NODES) {
      throw new ChaosConfigException(field, what + " holds more than " + MAX_NODES + " values, more than a config is read with; split it or trim it");
    }
    return parsed;
  }

  /** The values {@code tree} holds, counting stopped once past {@link #MAX_NODES}. */
  private static long values(Object tree, long counted) {
    long total = counted + 1;
    if (tree instanceof Map<?, ?> map) {
      for (Object value : map.values()) {
        total = values(value, total + 1); // the key and its value
        if (total > MAX_NODES) {
          break;
        }
      }
    } else if (tree instanceof List<?> list) {
      for (Object item : list) {
        total = values(item, total);
        if (total > MAX_NODES) {
          break;
        }
      }
    }
    return total;
  }

  /**
   * The line (1-based) of every value in {@code text}, by its path as errors name it ({@code chaos.latency},
   * {@code listeners[1].port}): a mapping entry at its key, a list item where it starts. Call it on text
   * {@link #load} accepted; anything it cannot compose gives no lines.
   */
  public static Map<String, Integer> lines(String text) {
    Map<String, Integer> lines = new java.util.HashMap<>();
    try {
      Node root = yaml().compose(new StringReader(text));
      if (root != null) {
        lines(root, "", lines, new IdentityHashMap<>());
      }
    } catch (YAMLException e) {
      return Map.of();
    }
    return lines;
  }

  private static void lines(Node node, String path, Map<String, Integer> lines, Map<Node, Boolean> seen) {
    if (seen.put(node, true) != null) {
      return; // an alias: its lines are where the anchor was written
    }
    if (node instanceof MappingNode mapping) {
      for (NodeTuple entry : mapping.getValue()) {
        if (entry.getKeyNode() instanceof org.yaml.snakeyaml.nodes.ScalarNode key) {
          String child = path.isEmpty() ? key.getValue() : path + "." + key.getValue();
          lines.putIfAbsent(child, key.getStartMark().getLine() + 1);
          lines(entry.getValueNode(), child, lines, seen);
        }
      }
    } else if (node instanceof SequenceNode sequence) {
      for (int i = 0; i < sequence.getValue().size(); i++) {
        Node item = sequence.getValue().get(i);
        lines.putIfAbsent(path + "[" + i + "]", item.getStartMark().getLine() + 1);
        lines(item, path + "[" + i + "]", lines, seen);
      }
    }
  }

  private static Yaml yaml() {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setAllowRecursiveKeys(false);
    options.setCodePointLimit(MAX_CHARS);
    options.setMaxAliasesForCollections(Integer.MAX_VALUE); // bounded below by the expanded size instead
    return new Yaml(new SafeConstructor(options), new org.yaml.snakeyaml.representer.Representer(new org.yaml.snakeyaml.DumperOptions()),
        new org.yaml.snakeyaml.DumperOptions(), options, new NumbersWithoutTimestamps());
  }

  /**
   * The resolver of {@link #load} ({@link Numbers}), for other YAML read as it is: orchestrations, the console's
   * conversions. {@code timestamps} false: a date stays text too, as JSON and YAML 1.2 (which has no timestamps) read
   * it; {@link #load} reads config files so. A config file's {@code x-api-version: 2022-11-28} was a {@code Date}, which
   * the field took as the text of its milliseconds ("1669593600000"): a header rule that never matched, silently.
   */
  public static org.yaml.snakeyaml.resolver.Resolver resolver(boolean timestamps) {
    return timestamps ? new Numbers() : new NumbersWithoutTimestamps();
  }

  private static final class NumbersWithoutTimestamps extends Numbers {
    @Override
    public void addImplicitResolver(org.yaml.snakeyaml.nodes.Tag tag, java.util.regex.Pattern regexp, String first, int limit) {
      if (!org.yaml.snakeyaml.nodes.Tag.TIMESTAMP.equals(tag)) {
        super.addImplicitResolver(tag, regexp, first, limit);
      }
    }
  }

  /**
   * YAML 1.1's booleans other than true and false ({@code yes}, {@code on}, ...) are text here, as in YAML 1.2: a
   * header matched on {@code yes} was matched on "true", a zone named {@code no} was "false". A boolean field given one
   * refuses it, naming the field.
   * YAML 1.1's number forms that read as another number than the one written are not numbers here: a
   * leading zero is octal there ({@code fixed_delay_ms: 010} was 8 ms), {@code 1:30} base 60 (90), and
   * {@code 0b} binary. They stay text, which a numeric field refuses, naming it and what was written.
   * Decimal (with {@code _} separators) and {@code 0x} hexadecimal are read as YAML 1.2 reads them.
   */
  private static class Numbers extends org.yaml.snakeyaml.resolver.Resolver {

    /** YAML 1.2's booleans alone: 1.1's {@code yes}, {@code no}, {@code on} and {@code off} stay text ({@code X-Canary: yes} matched "true"). */
    private static final java.util.regex.Pattern BOOL_1_2 = java.util.regex.Pattern.compile("^(?:true|True|TRUE|false|False|FALSE)$");
    private static final java.util.regex.Pattern INT = java.util.regex.Pattern.compile(
        "^(?:[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x_*[0-9a-fA-F][0-9a-fA-F_]*)$");
    private static final java.util.regex.Pattern FLOAT = java.util.regex.Pattern.compile("^(?:"
        + "[-+]?(?:0|[1-9][0-9_]*)\\.[0-9_]*(?:[eE][-+]?[0-9]+)?"
        + "|[-+]?(?:0|[1-9][0-9_]*)(?:[eE][-+]?[0-9]+)"
        + "|[-+]?\\.[0-9_]+(?:[eE][-+]?[0-9]+)?"
        + "|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$");

    @Override
    protected void addImplicitResolvers() {
      addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.BOOL, BOOL_1_2, "tTfF", 10);
      addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.INT, INT, "-+0123456789");
      addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.FLOAT, FLOAT, "-+0123456789.");
      addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.MERGE, MERGE, "<", 10);
      addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.NULL, NULL, "~nN\0", 10);
      addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.NULL, EMPTY, null, 10);
      addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.TIMESTAMP, TIMESTAMP, "0123456789", 50);
    }
  }

  /**
   * The number of nodes {@code node} stands for once every alias is expanded, stopping as soon as the
   * count passes {@link #MAX_NODES}. Sizes of shared nodes are remembered, so the walk is linear in the
   * composed graph; a node on its own path (a recursive alias) counts as too many.
   */
  private static long expanded(Node node, Map<Node, Long> sizes, int depth) {
    Long known = sizes.get(node);
    if (known != null) {
      return known;
    }
    if (depth > 1_000) {
      return MAX_NODES + 1L;
    }
    sizes.put(node, MAX_NODES + 1L); // while being counted: reaching it again is a cycle
    long total = 1;
    if (node instanceof MappingNode map) {
      for (NodeTuple tuple : map.getValue()) {
        total += expanded(tuple.getKeyNode(), sizes, depth + 1) + expanded(tuple.getValueNode(), sizes, depth + 1);
        if (total > MAX_NODES) {
          break;
        }
      }
    } else if (node instanceof SequenceNode seq) {
      for (Node child : seq.getValue()) {
        total += expanded(child, sizes, depth + 1);
        if (total > MAX_NODES) {
          break;
        }
      }
    }
    long size = Math.min(total, MAX_NODES + 1L);
    sizes.put(node, size);
    return size;
  }
}
