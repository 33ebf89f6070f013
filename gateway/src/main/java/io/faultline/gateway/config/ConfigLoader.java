package io.faultline.gateway.config;

import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.chaos.config.ChaosJson;
import io.faultline.chaos.config.SafeYaml;
import io.faultline.chaos.config.Scenario;
import io.faultline.chaos.config.Scenarios;
import io.faultline.chaos.config.Utf8Files;
import io.faultline.chaos.listener.ProtocolModule;
import io.faultline.gateway.Protocols;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the gateway config from its three sources, lowest precedence first: the YAML or JSON file,
 * {@code FAULTLINE_*} environment variables, then {@code serve} flags. An error names the field, the
 * value and, when a flag or variable set it, that flag or variable.
 */
public final class ConfigLoader {

  private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(ConfigLoader.class.getName());

  private ConfigLoader() {
  }

  public static GatewayConfig load(Path file, Map<String, String> env, Map<Flag, String> flags) {
    String text = file == null ? null : readText(file);
    Map<String, Object> tree = file == null ? new LinkedHashMap<>() : parse(text, file);
    boolean observabilityChaos = liftObservabilityChaos(tree);
    Map<String, String> sources = new LinkedHashMap<>();
    Map<Flag, Object> applied = new EnumMap<>(Flag.class);
    String envToken = env.get(Flag.ADMIN_TOKEN.env());
    if (envToken != null && !envToken.isEmpty() && envToken.isBlank()) {
      throw new ChaosConfigException("admin.token", "must not be blank or whitespace (set by " + Flag.ADMIN_TOKEN.env() + ")");
    }
    for (Flag flag : Flag.values()) {
      String fromEnv = env.get(flag.env());
      if (fromEnv != null && !fromEnv.isBlank()) {
        applied.put(flag, flag.convert(fromEnv, flag.env()));
        sources.put(flag.path(), flag.env());
      }
    }
    for (Map.Entry<Flag, String> entry : flags.entrySet()) {
      if (entry.getValue() != null) {
        applied.put(entry.getKey(), entry.getKey().convert(entry.getValue(), entry.getKey().option()));
        sources.put(entry.getKey().path(), entry.getKey().option());
      }
    }
    oneOf(Flag.JAEGER_ENDPOINT, Flag.OTLP_ENDPOINT, applied, sources, env, flags);
    // where each flag landed (listeners[0] is the first http listener, wherever the file put it): errors name that place
    Map<String, String> placed = new LinkedHashMap<>();
    applied.forEach((flag, value) -> {
      try {
        placed.put(set(tree, flag.path(), value), sources.get(flag.path()));
      } catch (ChaosConfigException e) { // the file's section the flag's field goes in is not one
        Integer line = text == null ? null : lineOf(e.field(), SafeYaml.lines(text));
        throw new ChaosConfigException(e.field(), e.getMessage() + " (" + (line == null ? "" : file + " line " + line + "; ")
            + sources.get(flag.path()) + " sets " + flag.path() + " in it)");
      }
    });
    // A fixed delay and a range are alternatives: the one from the higher source replaces the other, and
    // from the same source the range wins, as in reference 001's serve line (--chaos-latency-ms 500
    // --chaos-latency-range "100-500": a delay drawn from 100..500 ms).
    int fixedLevel = level(Flag.CHAOS_LATENCY_MS, env, flags);
    int rangeLevel = level(Flag.CHAOS_LATENCY_RANGE, env, flags);
    if (fixedLevel > rangeLevel) {
      remove(tree, "chaos", "latency", "random_delay_range_ms");
    } else if (rangeLevel > 0) {
      if (rangeLevel == fixedLevel) {
        LOG.info(() -> sources.get(Flag.CHAOS_LATENCY_RANGE.path()) + " replaces " + sources.get(Flag.CHAOS_LATENCY_MS.path())
            + ": a delay is drawn from the range (give one of them to silence this)");
      }
      remove(tree, "chaos", "latency", "fixed_delay_ms");
    }
    // A fault a flag or variable sets acts: chaos goes on unless a source as high switched it off (FAULTLINE_CHAOS=false
    // in the environment beat a --chaos-* flag), and so does the section it sets (a file's `latency: {enabled: false}`
    // kept --chaos-latency-ms from delaying anything, unsaid)
    int faultLevel = applied.keySet().stream().filter(Flag::configuresFault).mapToInt(f -> level(f, env, flags)).max().orElse(0);
    if (faultLevel > level(Flag.CHAOS, env, flags)) {
      set(tree, "chaos.enabled", true);
    }
    for (Flag flag : applied.keySet()) {
      String implied = flag.implies();
      Flag switchFlag = implied == null ? null : Flag.setting(implied);
      if (implied != null && level(flag, env, flags) > (switchFlag == null ? 0 : level(switchFlag, env, flags))) {
        set(tree, implied, true);
      }
    }
    for (Flag flag : applied.keySet()) {
      String[] path = flag.path().split("\\.");
      if (flag.configuresFault() && path.length == 3 && Boolean.FALSE.equals(get(tree, "chaos", path[1], "enabled"))) {
        set(tree, "chaos." + path[1] + ".enabled", true);
      }
    }
    refineScenario(tree); // first: a scenario's own probability is the one its refined errors take
    if (applied.containsKey(Flag.CHAOS_HTTP_ERRORS) && get(tree, "chaos", "fault_injection", "http_error_probability") == null) {
      throw new ChaosConfigException("chaos.fault_injection.http_error_probability",
          sources.get(Flag.CHAOS_HTTP_ERRORS.path()) + " needs a probability: add --chaos-http-error-probability P (0..1)");
    }
    try {
      GatewayConfig config = ChaosJson.convert(tree, GatewayConfig.class, "");
      String scenario = config.chaos().scenario();
      if (scenario != null && Scenarios.builtIn(scenario) == null) {
        // a saved one (POST /api/chaos/scenarios) is not known until the node has read its state: the user who named
        // one was told only the built-ins, as if it did not exist
        throw new ChaosConfigException("chaos.scenario", "unknown scenario " + scenario + "; a config names a built-in one: "
            + Scenarios.builtIn().stream().map(Scenario::name).toList() + " (a saved scenario is started once the node runs:"
            + " POST /api/chaos/scenarios/" + scenario + ", or an orchestration step)");
      }
      lonelyClusterFlags(config, applied, sources);
      if (applied.containsKey(Flag.TOXIPROXY_HOST) && !config.toxiproxy().enabled() && get(tree, "toxiproxy", "enabled") == null) {
        // as a lone cluster flag: the API stayed off, and nothing said why nothing answered on that host (switched off
        // on purpose, toxiproxy.enabled: false, it is taken)
        throw new ChaosConfigException("toxiproxy.enabled", sources.get(Flag.TOXIPROXY_HOST.path())
            + " serves nothing while the Toxiproxy API is off: add " + Flag.TOXIPROXY_PORT.option() + " PORT (or "
            + Flag.TOXIPROXY_PORT.env() + ", or toxiproxy.enabled: true in the config)");
      }
      // a host alone turns no listener on (a port does): it stayed off, and nothing said why nothing answered there
      if (get(tree, "metrics", "host") != null && !config.metrics().listen() && get(tree, "metrics", "listen") == null) {
        throw new ChaosConfigException("metrics.host", "serves nothing while the metrics listener is off: add metrics.port"
            + " (or metrics.listen: true, or " + Flag.METRICS.option() + ")");
      }
      if (get(tree, "bridge", "host") != null && !config.bridge().enabled() && get(tree, "bridge", "enabled") == null) {
        throw new ChaosConfigException("bridge.host", "serves nothing while the event-bus bridge is off: add bridge.port"
            + " (or bridge.enabled: true, or " + Flag.BRIDGE_PORT.option() + " PORT)");
      }
      if ("".equals(envToken) && config.admin().token() == null && !config.admin().loopback()) {
        // `export FAULTLINE_ADMIN_TOKEN="$(openssl rand -hex 16)"` with no openssl served the network unauthenticated
        throw new ChaosConfigException("admin.token", Flag.ADMIN_TOKEN.env() + " is set but empty, and the admin API listens on "
            + config.admin().host() + ", beyond loopback: give it a token, or unset the variable to run without one");
      }
      return config;
    } catch (ChaosConfigException e) {
      String source = sourceOf(e.field(), placed);
      ChaosConfigException named = observabilityChaos && source == null && e.field() != null
          && (e.field().equals("chaos") || e.field().startsWith("chaos.")) ? e.under("observability") : e;
      if (source != null) {
        throw new ChaosConfigException(e.field(), e.getMessage() + " (set by " + source + ")");
      }
      String adder = listenerAddedBy(e.field(), placed, tree);
      if (adder != null) { // --grpc-port alone: the listener it adds lacks what no flag gave it
        throw new ChaosConfigException(e.field(), e.getMessage() + " (in the listener " + adder + " adds"
            + (e.field().endsWith(".upstream") ? ": give " + adder.replace("-port", "-upstream").replace("_PORT", "_UPSTREAM") : "") + ")");
      }
      // the file's lines are composed only for an error to report, not on every start
      Integer line = text == null ? null : lineOf(named.field(), SafeYaml.lines(text));
      throw line == null ? named : new ChaosConfigException(named.field(), named.getMessage() + " (" + file + " line " + line + ")");
    }
  }

  /** The line of the file where {@code field}, or the nearest enclosing value the file wrote, is (null: none). */
  private static Integer lineOf(String field, Map<String, Integer> lines) {
    for (String path = field; path != null && !path.isEmpty(); ) {
      Integer line = lines.get(path);
      if (line != null) {
        return line;
      }
      int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
      path = cut <= 0 ? null : path.substring(0, cut);
    }
    return null;
  }

  /**
   * The flag (or variable) that added the listener {@code field} is in: one no file or other source wrote
   * (every field of it but its name and protocol set by flags), whose port a flag gave.
   */
  @SuppressWarnings("unchecked")
  private static String listenerAddedBy(String field, Map<String, String> sources, Map<String, Object> tree) {
    java.util.regex.Matcher at = java.util.regex.Pattern.compile("^listeners\\[(\\d+)]\\.").matcher(field == null ? "" : field);
    if (!at.find() || !(tree.get("listeners") instanceof List<?> listeners) || Integer.parseInt(at.group(1)) >= listeners.size()
        || !(listeners.get(Integer.parseInt(at.group(1))) instanceof Map<?, ?> listener)) {
      return null;
    }
    String prefix = "listeners[" + at.group(1) + "].";
    boolean flagsOnly = ((Map<String, Object>) listener).keySet().stream()
        .allMatch(key -> key.equals("name") || key.equals("protocol") || sources.containsKey(prefix + key));
    return flagsOnly ? sources.get(prefix + "port") : null;
  }

  /**
   * A config that names a built-in {@code chaos.scenario} and also sets some of a section's fields refines the
   * scenario's section field by field ({@link ChaosJson#refineScenario}), as the REST API and an orchestration
   * step naming a scenario do. A section is taken whole once typed, so a flag's one field (the latency's
   * probability) used to replace the scenario's whole section, its delay and jitter gone.
   */
  @SuppressWarnings("unchecked")
  private static void refineScenario(Map<String, Object> tree) {
    if (tree.get("chaos") instanceof Map<?, ?> given && given.get("scenario") instanceof String name) {
      Scenario scenario = Scenarios.builtIn(name);
      if (scenario != null) { // else refused with the known names below
        ChaosJson.refineScenario((Map<String, Object>) given, scenario.config());
      }
    }
  }

  /**
   * {@code --cluster-host}, {@code --cluster-port} and {@code --cluster-members} (or their environment
   * twins) say how to join a cluster; given while clustering is off, the node would run alone while its
   * operator believes it joined. Refused, unless clustering was switched off by a flag or variable too.
   * ({@code --node-id}, {@code --region} and {@code --zone} name a standalone node as well.)
   */
  private static void lonelyClusterFlags(GatewayConfig config, Map<Flag, Object> applied, Map<String, String> sources) {
    if (config.cluster().enabled() || applied.containsKey(Flag.CLUSTER)) {
      return;
    }
    for (Flag flag : List.of(Flag.CLUSTER_HOST, Flag.CLUSTER_PORT, Flag.CLUSTER_MEMBERS)) {
      if (applied.containsKey(flag)) {
        throw new ChaosConfigException("cluster.enabled", sources.get(flag.path()) + " joins no cluster while clustering is off: add "
            + Flag.CLUSTER.option() + " (or " + Flag.CLUSTER.env() + "=true, or cluster.enabled: true in the config)");
      }
    }
  }

  /**
   * Reference 001 writes the chaos block under {@code observability: chaos:}; it means the top-level
   * {@code chaos:}. Answers whether the file used that form (so errors name the path the user wrote).
   */
  @SuppressWarnings("unchecked")
  private static boolean liftObservabilityChaos(Map<String, Object> tree) {
    if (!tree.containsKey("observability")) {
      return false;
    }
    if (!(tree.get("observability") instanceof Map<?, ?> observability)) {
      throw new ChaosConfigException("observability", "must be a mapping holding chaos (reference 001's form of the chaos section)");
    }
    for (Object key : observability.keySet()) {
      if (!"chaos".equals(key)) {
        throw new ChaosConfigException("observability." + key, "unknown field; observability may only hold chaos (the chaos section, as reference 001 writes it)");
      }
    }
    if (tree.containsKey("chaos")) {
      throw new ChaosConfigException("observability.chaos",
          "both chaos and observability.chaos are set; they mean the same section: keep one of them");
    }
    tree.remove("observability");
    if (observability.containsKey("chaos")) {
      tree.put("chaos", ((Map<String, Object>) observability).get("chaos"));
    }
    return true;
  }

  /**
   * Whether the YAML file (JSON is YAML too) holds anything: false when it is empty or only comments (an editor's
   * first write, or everything commented out). {@code {}} holds something: a file that says, on purpose, every
   * default (a reload of it was refused as "blank lines or comments only"). Parsed with {@link SafeYaml}, so syntax
   * errors and duplicate keys are refused with their line. Says nothing itself: a reload refuses such a file (the
   * start, which takes it, warns).
   */
  public static boolean holdsSettings(Path file) {
    return SafeYaml.load(readText(file), file.toString(), "config") != null;
  }

  private static String readText(Path file) {
    String text;
    try {
      text = Utf8Files.read(file);
    } catch (Utf8Files.NotUtf8 e) {
      throw new ChaosConfigException("config", e.getMessage());
    } catch (java.nio.file.NoSuchFileException e) {
      throw new ChaosConfigException("config", "cannot read " + file + ": no such file");
    } catch (java.nio.file.AccessDeniedException e) {
      throw new ChaosConfigException("config", "cannot read " + file + ": permission denied");
    } catch (IOException e) {
      throw new ChaosConfigException("config", "cannot read " + file + ": " + e.getMessage());
    }
    return text;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> parse(String text, Path file) {
    Object parsed = SafeYaml.load(text, file.toString(), "config");
    if (parsed == null) {
      // empty or only comments: allowed (a template with everything commented out), but said, since a
      // wrong or truncated file would otherwise start the gateway on its defaults without a word
      LOG.warning(() -> file + " holds no settings (it is empty or only comments): every setting not given by a flag or the environment is its default");
      return new LinkedHashMap<>();
    }
    if (!(parsed instanceof Map)) {
      throw new ChaosConfigException("config", file + " must hold a mapping (admin, listeners, chaos, ...), not "
          + (parsed instanceof java.util.List ? "a list" : "a single value"));
    }
    return new LinkedHashMap<>((Map<String, Object>) parsed);
  }

  /**
   * Two flags for one field ({@code --jaeger-endpoint} and its alias {@code --otlp-endpoint}): the one
   * from the higher source wins; both from the same source are refused, naming both.
   */
  private static void oneOf(Flag flag, Flag alias, Map<Flag, Object> applied, Map<String, String> sources,
      Map<String, String> env, Map<Flag, String> flags) {
    int flagLevel = level(flag, env, flags);
    int aliasLevel = level(alias, env, flags);
    if (flagLevel == 0 || aliasLevel == 0) {
      return;
    }
    if (flagLevel == aliasLevel) {
      String both = flagLevel == 2 ? flag.option() + " and " + alias.option() : flag.env() + " and " + alias.env();
      throw new ChaosConfigException(flag.path(), both + " both set it; they are the same setting: give one of them");
    }
    Flag winner = flagLevel > aliasLevel ? flag : alias;
    applied.remove(winner == flag ? alias : flag);
    sources.put(winner.path(), winner.option()); // different levels: the winner's is a flag
  }

  /** 2 when a flag sets {@code flag}'s field, 1 when only the environment does, 0 when neither. */
  private static int level(Flag flag, Map<String, String> env, Map<Flag, String> flags) {
    if (flags.get(flag) != null) {
      return 2;
    }
    String value = env.get(flag.env());
    return value != null && !value.isBlank() ? 1 : 0;
  }

  private static String sourceOf(String field, Map<String, String> sources) {
    if (field == null) {
      return null;
    }
    for (Map.Entry<String, String> entry : sources.entrySet()) {
      if (field.equals(entry.getKey()) || field.startsWith(entry.getKey() + "[") || field.startsWith(entry.getKey() + ".")) {
        return entry.getValue();
      }
    }
    return null;
  }

  /** Sets the field at a flag's {@code path}; answers where it went ({@code listeners[2].port} for {@code grpc[0].port}). */
  @SuppressWarnings("unchecked")
  private static String set(Map<String, Object> tree, String path, Object value) {
    String[] parts = path.split("\\.");
    Map<String, Object> node = tree;
    int i = 0;
    String placed = path;
    if (parts[0].equals("listeners[0]")) {
      node = firstListener(tree, "http", GatewayConfig.DEFAULT_LISTENER);
      i = 1;
    } else if (parts[0].endsWith("[0]")) {
      // PROTOCOL[0]: the first listener of that protocol (--grpc-port, --websocket-upstream, ...)
      ProtocolModule module = Protocols.named(parts[0].substring(0, parts[0].length() - 3), parts[0]);
      node = firstListener(tree, module.name(), module.defaultListenerName());
      i = 1;
    }
    if (i == 1) {
      List<Object> listeners = (List<Object>) tree.get("listeners");
      int index = 0;
      while (listeners.get(index) != node) {
        index++;
      }
      placed = "listeners[" + index + "]" + path.substring(parts[0].length());
    }
    int first = i;
    String base = first == 1 ? placed.substring(0, placed.indexOf(']') + 1) + "." : ""; // listeners[N]. for a listener's field
    for (; i < parts.length - 1; i++) {
      // a copy of each map on the way: YAML's anchors and aliases share one map between places (a rule's `latency: *l`),
      // and a flag written into it reached them all
      Object child = node.get(parts[i]);
      if (child != null && !(child instanceof Map)) {
        // refused as the file alone is: a flag replaced the mistyped section with its one field (`chaos: true` went)
        throw new ChaosConfigException(base + String.join(".", java.util.Arrays.copyOfRange(parts, first, i + 1)),
            "must be a mapping of fields, got " + child);
      }
      Map<String, Object> copy = child instanceof Map ? new LinkedHashMap<>((Map<String, Object>) child) : new LinkedHashMap<>();
      node.put(parts[i], copy);
      node = copy;
    }
    node.put(parts[parts.length - 1], value);
    return placed;
  }

  /** The first listener of {@code protocol} (a listener without one is http); one named {@code name} is added when there is none. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> firstListener(Map<String, Object> tree, String protocol, String name) {
    Object listed = tree.get("listeners");
    if (listed != null && !(listed instanceof List<?>)) {
      // refused as the file alone is: a port flag put its own listener in place of the file's (a list without its dash)
      throw new ChaosConfigException("listeners", "must be a list of listeners (each item begins with '- '), got " + listed);
    }
    // an empty list is none, as without a flag: the built-in web listener stays beside the flag's
    boolean given = listed != null && !((List<?>) listed).isEmpty();
    List<Object> list = given ? new ArrayList<>((List<?>) listed) : new ArrayList<>();
    tree.put("listeners", list);
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i) instanceof Map<?, ?> map && protocol.equals(protocolOf(map))) {
        Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) map);
        list.set(i, copy);
        return copy;
      }
    }
    Map<String, Object> created = new LinkedHashMap<>();
    created.put("name", name);
    created.put("protocol", protocol);
    if (protocol.equals("http")) {
      list.add(created); // after the file's listeners, so an error in one of them names the index the file gives it
    } else {
      // with no listeners in the file, the built-in web listener stays beside the one the flag adds; a file that lists its
      // own keeps just those (a --grpc-upstream beside a file's tcp listener added a web listener on :3000 too)
      if (!given) {
        Map<String, Object> web = new LinkedHashMap<>();
        web.put("name", GatewayConfig.DEFAULT_LISTENER);
        web.put("protocol", "http");
        list.add(web);
      }
      list.add(created);
    }
    return created;
  }

  /** A listener's protocol as ListenerConfig reads it: http when not given, in any case ({@code HTTP} got a second listener). */
  private static Object protocolOf(Map<?, ?> listener) {
    Object protocol = listener.get("protocol");
    return protocol == null ? "http" : protocol instanceof String text ? text.toLowerCase(java.util.Locale.ROOT) : protocol;
  }

  @SuppressWarnings("unchecked")
  private static Object get(Map<String, Object> tree, String... path) {
    Object node = tree;
    for (String part : path) {
      if (!(node instanceof Map)) {
        return null;
      }
      node = ((Map<String, Object>) node).get(part);
    }
    return node;
  }

  @SuppressWarnings("unchecked")
  private static void remove(Map<String, Object> tree, String section, String sub, String field) {
    if (get(tree, section, sub) instanceof Map<?, ?> map && map.containsKey(field) && tree.get(section) instanceof Map<?, ?> parent) {
      Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) map); // as set(): an alias elsewhere keeps it
      copy.remove(field);
      Map<String, Object> parentCopy = new LinkedHashMap<>((Map<String, Object>) parent);
      parentCopy.put(sub, copy);
      tree.put(section, parentCopy);
    }
  }
}
