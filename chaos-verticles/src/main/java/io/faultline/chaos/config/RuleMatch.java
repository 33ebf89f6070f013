package io.faultline.chaos.config;

import java.util.List;
import java.util.Map;

/**
 * What traffic a rule applies to. Every field that is set must match: the listener and route names,
 * a {@code path} (a prefix like {@code /api}, or a glob where {@code *} stays within one segment and
 * {@code **} crosses segments), one of {@code methods}, a {@code host} glob, and header values (globs).
 * On graphql listeners also the {@code operation_type} ({@code query}, {@code mutation},
 * {@code subscription}), an {@code operation_name} glob, and {@code fields} (the rule matches when the
 * operation selects any of them, as {@code Query.user.orders}); a request that is not a parsed GraphQL
 * operation never matches a rule that sets one of these. {@code nodes}, {@code regions}, {@code zones}
 * and {@code node_percent} (a blast radius: that share of the live nodes, picked with the seed) scope a
 * rule to some nodes of a cluster.
 */
public record RuleMatch(
    String listener,
    String route,
    String path,
    List<String> methods,
    String host,
    Map<String, String> headers,
    String operationType,
    String operationName,
    List<String> fields,
    List<String> nodes,
    List<String> regions,
    List<String> zones,
    Double nodePercent) {

  public static final List<String> OPERATION_TYPES = List.of("query", "mutation", "subscription");

  /** A match of all of {@code listener}'s traffic and nothing more. */
  public static RuleMatch listenerOnly(String listener) {
    return new RuleMatch(listener, null, null, null, null, null, null, null, null, null, null, null, null);
  }

  public RuleMatch {
    // an empty glob or name matches nothing: the rule would be silently dead
    notBlank(listener, "listener");
    notBlank(route, "route");
    notBlank(host, "host");
    notBlank(operationName, "operation_name");
    Check.pathGlob(path, "path");
    methods = methods == null ? List.of() : methods.stream().map(m -> m == null ? null : m.toUpperCase(java.util.Locale.ROOT)).toList();
    for (int i = 0; i < methods.size(); i++) {
      Check.token(methods.get(i), "methods[" + i + "]");
    }
    headers = Check.values(headers, "headers");
    headers.keySet().forEach(name -> Check.token(name, "headers." + name));
    if (operationType != null) {
      operationType = operationType.toLowerCase(java.util.Locale.ROOT);
      if (!OPERATION_TYPES.contains(operationType)) {
        throw new ChaosConfigException("operation_type", "must be one of " + OPERATION_TYPES + ", got " + operationType);
      }
    }
    fields = Check.elements(fields, "fields");
    nodes = names(nodes, "nodes");
    regions = names(regions, "regions");
    zones = names(zones, "zones");
    nodePercent = Check.percent(nodePercent, "node_percent", 100.0);
    for (int i = 0; i < fields.size(); i++) {
      checkFieldPath(fields.get(i), "fields[" + i + "]");
      String root = fields.get(i).substring(0, fields.get(i).indexOf('.'));
      if (operationType != null && !root.equalsIgnoreCase(operationType)) {
        // Query's fields are only ever selected by queries: the rule would be taken and never fire
        throw new ChaosConfigException("fields[" + i + "]", fields.get(i) + " is selected only by a " + root.toLowerCase(java.util.Locale.ROOT)
            + ", and the rule's operation_type is " + operationType + ": it would never match (start the path with "
            + Character.toUpperCase(operationType.charAt(0)) + operationType.substring(1) + ", or drop operation_type)");
      }
    }
  }

  /** {@code list}'s names, each one given: a blank one names no node, region or zone, and the rule would apply nowhere. */
  private static List<String> names(List<String> list, String field) {
    List<String> names = Check.elements(list, field);
    for (int i = 0; i < names.size(); i++) {
      notBlank(names.get(i), field + "[" + i + "]");
    }
    return names;
  }

  /** True when this match names nodes only (by id, region, zone or share): on a node it applies to, it takes every request. */
  public boolean nodeScopeOnly() {
    return listener == null && route == null && path == null && methods.isEmpty() && host == null && headers.isEmpty()
        && operationType == null && operationName == null && fields.isEmpty();
  }

  /**
   * Whether a rule with this match exists on a node at all: every node scope that is set ({@code nodes},
   * {@code regions}, {@code zones}, {@code node_percent}) must include it. Decided when a snapshot is
   * compiled, not per request.
   */
  public boolean appliesTo(io.faultline.chaos.engine.NodeContext node, long seed) {
    if (!nodes.isEmpty() && !nodes.contains(node.id())) {
      return false;
    }
    // a node with no region (or zone) is in none of those named: List.of(...).contains(null) throws, which
    // stopped every node from starting while such a rule was in its config or the cluster's state
    if (!regions.isEmpty() && (node.region() == null || !regions.contains(node.region()))) {
      return false;
    }
    if (!zones.isEmpty() && (node.zone() == null || !zones.contains(node.zone()))) {
      return false;
    }
    return nodePercent >= 100.0 || node.inBlastRadius(nodePercent, seed);
  }

  private static void notBlank(String value, String field) {
    if (value != null && value.isBlank()) {
      throw new ChaosConfigException(field, "must not be empty: it would match nothing (leave it out to match any)");
    }
  }

  /** A field path is a root type and at least one field: {@code Query.user} or {@code Mutation.checkout.total}. */
  public static String checkFieldPath(String path, String field) {
    if (path == null || !path.matches("(Query|Mutation|Subscription)(\\.[_A-Za-z][_0-9A-Za-z]*)+")) {
      throw new ChaosConfigException(field, "must be a field path such as Query.user.orders (root type Query, Mutation or"
          + " Subscription, then field names), got " + path);
    }
    return path;
  }

  public static RuleMatch any() {
    return new RuleMatch(null, null, null, null, null, null, null, null, null, null, null, null, null);
  }
}
