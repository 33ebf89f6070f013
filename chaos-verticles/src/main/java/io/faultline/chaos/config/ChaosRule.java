package io.faultline.chaos.config;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * Chaos that applies only to traffic matching {@link #match()}. Sections the rule sets are merged over
 * the global ones for that traffic (a set section replaces the global one); sections it leaves out are
 * inherited. The first matching rule wins.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChaosRule(
    String name,
    Boolean enabled,
    RuleMatch match,
    @JsonIgnore SectionValues sections) implements ChaosSections {

  private static final List<String> FIELDS = List.of("name", "enabled", "match");

  public ChaosRule {
    if (name == null || name.isBlank()) {
      throw new ChaosConfigException("name", "is required");
    }
    if (!Check.pathSegment(name, 128)) {
      // DELETE /api/chaos/rules/NAME must be able to name it
      throw new ChaosConfigException("name", "must be 1-128 characters, without '/' or control characters and not '.' or '..', got "
          + (name.length() > 80 ? name.substring(0, 80) + "..." : name));
    }
    enabled = Check.flag(enabled, true);
    match = match == null ? RuleMatch.any() : match;
    sections = sections == null ? SectionValues.NONE : sections;
    globalOnly(sections);
  }

  /**
   * {@code traffic_shaping.max_connections} and {@code connection_timeout_ms} act on connections, counted and
   * timed before any request a rule (or a listener's chaos, a rule too) could match: taken there, they were
   * shown back as set and did nothing.
   */
  static void globalOnly(SectionValues sections) {
    TrafficShapingConfig shaping = sections.get(Sections.TRAFFIC_SHAPING);
    if (shaping != null && (shaping.maxConnections() > 0 || shaping.connectionTimeoutMs() > 0)) {
      throw new ChaosConfigException("traffic_shaping." + (shaping.maxConnections() > 0 ? "max_connections" : "connection_timeout_ms"),
          "acts on connections, before any request is matched: set it in the global chaos config");
    }
  }

  @JsonCreator
  static ChaosRule json(@JsonProperty("name") String name, @JsonProperty("enabled") Boolean enabled,
      @JsonProperty("match") RuleMatch match, @JsonAnySetter Map<String, Object> sections) {
    return new ChaosRule(name, enabled, match, SectionValues.read(sections, FIELDS));
  }

  @JsonAnyGetter
  Map<String, Object> jsonSections() {
    return sections.byName();
  }

  /** The prefix of a distributed task item's rule ({@code task:ID:INDEX}). */
  public static final String TASK_PREFIX = "task:";

  /**
   * True for a distributed task item's rule: named {@code task:...} and matching by node alone. Such a rule is not tried
   * in order with the others: on its node it lies over whatever the traffic takes (see {@code ChaosSnapshot}).
   */
  public boolean taskItem() {
    return isTaskItemName(name) && match.nodeScopeOnly();
  }

  /** True for a name of the form a distributed task item's rule takes ({@code task:...}). */
  public static boolean isTaskItemName(String ruleName) {
    return ruleName.startsWith(TASK_PREFIX);
  }

  /** The prefix of the rule a listener's own chaos is ({@code listener:NAME}: {@link ChaosOverride#toRule}). */
  public static final String LISTENER_PREFIX = "listener:";

  /**
   * The listener whose own chaos this rule is, or null: a rule named {@code listener:NAME} that matches
   * exactly that listener's traffic (a listener's {@code chaos:}, or the Toxiproxy API's rule for a proxy).
   * Such a rule is the base of that listener's traffic, under every other rule (see {@code ChaosSnapshot}).
   */
  public String ownListener() {
    String listener = match == null ? null : match.listener();
    return listener != null && name.equals(LISTENER_PREFIX + listener) && match.equals(RuleMatch.listenerOnly(listener)) ? listener : null;
  }
}
