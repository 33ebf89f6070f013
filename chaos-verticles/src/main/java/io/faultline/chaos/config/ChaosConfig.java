package io.faultline.chaos.config;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The whole chaos configuration: the master switch, the seed, an optional predefined scenario to start
 * from, the global {@link Sections} and the targeted rules. Immutable and validated on construction.
 * In JSON/YAML the sections are fields beside {@code enabled}, {@code seed}, {@code scenario} and {@code rules}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChaosConfig(
    Boolean enabled,
    Long seed,
    String scenario,
    @JsonIgnore SectionValues sections,
    List<ChaosRule> rules) implements ChaosSections {

  private static final List<String> FIELDS = List.of("enabled", "seed", "scenario", "rules");

  /**
   * The most rules a config holds. Each request is matched against them in order, and each change is checked, stored
   * and shown whole: 150,000 rules (2.7 MB, under the API's 4 MiB) held an event loop 8 s, answered 504 and were applied.
   */
  public static final int MAX_RULES = 1_000;

  public ChaosConfig {
    enabled = Check.flag(enabled, false);
    sections = sections == null ? SectionValues.NONE : sections;
    rules = Check.elements(rules, "rules");
    if (rules.size() > MAX_RULES) {
      throw new ChaosConfigException("rules", "holds " + rules.size() + " rules, more than the " + MAX_RULES + " a config may have:"
          + " each request is matched against them in order (one rule's path glob, methods or header glob can take many)");
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < rules.size(); i++) {
      if (!names.add(rules.get(i).name())) {
        throw new ChaosConfigException("rules[" + i + "].name", "duplicate rule name " + rules.get(i).name());
      }
    }
  }

  @JsonCreator
  static ChaosConfig json(@JsonProperty("enabled") Boolean enabled, @JsonProperty("seed") Object seed,
      @JsonProperty("scenario") String scenario, @JsonProperty("rules") List<ChaosRule> rules,
      @JsonAnySetter Map<String, Object> sections) {
    return new ChaosConfig(enabled, seed(seed), scenario, SectionValues.read(sections, FIELDS), rules);
  }

  /**
   * A seed given as a number or as a string of digits: a 64-bit seed is more than a JavaScript number holds
   * exactly, so the GraphQL API answers it as a string, and what it answers is taken back as it is.
   */
  public static Long seed(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof Integer || value instanceof Long) {
      return ((Number) value).longValue();
    }
    if (value instanceof String text && text.strip().matches("-?\\d+")) {
      try {
        return Long.parseLong(text.strip());
      } catch (NumberFormatException e) {
        throw new ChaosConfigException("seed", "is out of range (a 64-bit whole number), got " + value);
      }
    }
    if (value instanceof java.math.BigInteger) {
      throw new ChaosConfigException("seed", "is out of range (a 64-bit whole number), got " + value);
    }
    throw new ChaosConfigException("seed", "must be a whole number (or its digits as a string), got " + value);
  }

  @JsonAnyGetter
  Map<String, Object> jsonSections() {
    return sections.byName();
  }

  /** Chaos off, nothing configured. */
  public static ChaosConfig off() {
    return new ChaosConfig(false, null, null, SectionValues.NONE, null);
  }

  public ChaosConfig withEnabled(boolean on) {
    return new ChaosConfig(on, seed, scenario, sections, rules);
  }

  public ChaosConfig withScenario(String name) {
    return new ChaosConfig(enabled, seed, name, sections, rules);
  }

  public ChaosConfig withSeed(Long newSeed) {
    return new ChaosConfig(enabled, newSeed, scenario, sections, rules);
  }

  public ChaosConfig withRules(List<ChaosRule> newRules) {
    return new ChaosConfig(enabled, seed, scenario, sections, newRules);
  }

  public ChaosConfig withSections(SectionValues newSections) {
    return new ChaosConfig(enabled, seed, scenario, newSections, rules);
  }

  /** The same config with the sections of {@code other} merged over this one's ({@link Section#merge}). */
  public ChaosConfig overlay(ChaosSections other) {
    return withSections(sections.overlay(other.sections()));
  }

  /** The same config with one section replaced; {@code section} is one of {@link Sections#names()}. */
  public ChaosConfig withSection(String section, Object value) {
    return withSections(with(sections, Sections.byName(section), value));
  }

  private static <T> SectionValues with(SectionValues values, Section<T> section, Object value) {
    return values.with(section, section.type().cast(value));
  }

  /**
   * With {@code rule} added at the end, or replacing the rule of its name in that rule's place: the first
   * matching rule wins, so editing a value must not change which one does.
   */
  public ChaosConfig withRule(ChaosRule rule) {
    List<ChaosRule> next = new ArrayList<>(rules);
    int at = -1;
    for (int i = 0; i < next.size() && at < 0; i++) {
      at = next.get(i).name().equals(rule.name()) ? i : -1;
    }
    if (at >= 0) {
      next.set(at, rule);
    } else {
      next.add(rule);
    }
    return withRules(next);
  }

  /**
   * With the distributed task items' rules of {@code from} added at the end, unless this config names a rule alike: a
   * task's rule is its task's until the task ends it, and a reload of the config file, which names none, dropped it
   * while the task still ran and reported success.
   */
  public ChaosConfig keepingTaskItems(List<ChaosRule> from) {
    java.util.Set<String> named = new java.util.HashSet<>();
    rules.forEach(rule -> named.add(rule.name()));
    List<ChaosRule> next = new ArrayList<>(rules);
    for (ChaosRule rule : from) {
      if (ChaosRule.isTaskItemName(rule.name()) && !named.contains(rule.name())) {
        next.add(rule);
      }
    }
    return next.size() == rules.size() ? this : withRules(next);
  }

  /**
   * With the listeners' own chaos rules of {@code from} (a {@code chaos:} block, a Toxiproxy proxy's toxics) added at
   * the end, for the listeners {@code kept} accepts, unless this config names a rule alike: a listener's own chaos is
   * the listener's, and a new list of rules that does not name it keeps it.
   */
  public ChaosConfig keepingOwnRules(List<ChaosRule> from, java.util.function.Predicate<String> kept) {
    Set<String> named = new HashSet<>();
    rules.forEach(r -> named.add(r.name()));
    List<ChaosRule> next = new ArrayList<>(rules);
    for (ChaosRule own : from) {
      if (own.ownListener() != null && kept.test(own.ownListener()) && !named.contains(own.name())) {
        next.add(own);
      }
    }
    return next.size() == rules.size() ? this : withRules(next);
  }
}
