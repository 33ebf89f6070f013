package io.faultline.cluster;

import io.faultline.chaos.config.ChaosConfig;
import io.faultline.chaos.config.ChaosRule;
import io.faultline.chaos.config.Section;
import io.faultline.chaos.config.SectionValues;
import io.faultline.chaos.config.Sections;
import io.faultline.chaos.state.ChaosState.Replica;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A three-way merge of chaos states, for a change a node made (from {@code base} to {@code mine}) when
 * the cluster agreed on another state meanwhile ({@code theirs}): what the change touched is taken from
 * {@code mine}, everything else from {@code theirs}. It works field by field: the master switch, the
 * seed, the named scenario, each section, each rule (by name; a changed rule keeps its place, a renamed
 * one takes the place of the name it had, a new one goes last, and a new order of the rules is applied to
 * those rules wherever they stand), the active scenario with what stopping it restores. So two nodes that
 * put different rules at once both keep theirs (each used to replace the whole state, and the later one
 * dropped the other's); where both changed the same field, the later change wins, as before. Two scenario
 * starts (or stops) at once are each one change of every section and the switch: the later wins whole.
 */
final class ChaosMerge {

  private ChaosMerge() {
  }

  static Replica merge(Replica base, Replica mine, Replica theirs, long version) {
    ChaosConfig b = base.config();
    ChaosConfig m = mine.config();
    ChaosConfig t = theirs.config();
    boolean scenarioChanged = scenarioChanged(base, mine);
    // two starts (or a start and a stop) at once: each replaces every section, so one wins whole; merged one by
    // one, the status named one scenario while the traffic ran a mix of both
    boolean wholly = scenarioChanged && scenarioChanged(base, theirs);
    SectionValues sections = t.sections();
    if (wholly) {
      sections = m.sections();
    } else {
      for (Section<?> section : Sections.all()) {
        sections = pick(sections, section, b.sections(), m.sections());
      }
    }
    ChaosConfig config = new ChaosConfig(wholly ? m.enabled() : pick(b.enabled(), m.enabled(), t.enabled()),
        pick(b.seed(), m.seed(), t.seed()), pick(b.scenario(), m.scenario(), t.scenario()), sections, rules(b.rules(), m.rules(), t.rules()));
    return new Replica(config, scenarioChanged ? mine.scenario() : theirs.scenario(),
        scenarioChanged ? mine.beforeScenario() : theirs.beforeScenario(), version);
  }

  private static boolean scenarioChanged(Replica base, Replica other) {
    return !Objects.equals(base.scenario(), other.scenario()) || !Objects.equals(base.beforeScenario(), other.beforeScenario());
  }

  private static <T> T pick(T base, T mine, T theirs) {
    return Objects.equals(base, mine) ? theirs : mine;
  }

  private static <T> SectionValues pick(SectionValues into, Section<T> section, SectionValues base, SectionValues mine) {
    T changed = mine.get(section);
    return Objects.equals(base.get(section), changed) ? into : into.with(section, changed);
  }

  private static List<ChaosRule> rules(List<ChaosRule> base, List<ChaosRule> mine, List<ChaosRule> theirs) {
    Map<String, ChaosRule> before = byName(base);
    Map<String, ChaosRule> after = byName(mine);
    Map<String, String> renamed = renames(base, mine, before, after);
    Set<String> names = new LinkedHashSet<>(before.keySet());
    names.addAll(after.keySet());
    List<ChaosRule> out = new ArrayList<>(theirs);
    for (String name : names) {
      ChaosRule rule = after.get(name);
      if (Objects.equals(before.get(name), rule) || renamed.containsKey(name)) {
        continue;
      }
      int at = indexOf(out, name);
      String was = renamed.entrySet().stream().filter(e -> e.getValue().equals(name)).map(Map.Entry::getKey).findFirst().orElse(null);
      int old = was == null ? -1 : indexOf(out, was);
      if (old >= 0 && at < 0) {
        out.set(old, rule); // a rename keeps the rule's place: the place decides which traffic it wins
      } else if (rule == null && at >= 0) {
        out.remove(at);
      } else if (rule != null && at >= 0) {
        out.set(at, rule);
      } else if (rule != null) {
        out.add(rule);
      }
    }
    return reordered(base, mine, out);
  }

  /**
   * The rules {@code mine} renamed: a name gone from {@code base} whose place in {@code mine} holds a new
   * name ({@code PUT /api/chaos/rules/NAME} renames in place), by old name.
   */
  private static Map<String, String> renames(List<ChaosRule> base, List<ChaosRule> mine, Map<String, ChaosRule> before,
      Map<String, ChaosRule> after) {
    Map<String, String> renamed = new LinkedHashMap<>();
    for (int i = 0; i < base.size() && i < mine.size(); i++) {
      String old = base.get(i).name();
      String now = mine.get(i).name();
      if (!after.containsKey(old) && !before.containsKey(now)) {
        renamed.put(old, now);
      }
    }
    return renamed;
  }

  /**
   * {@code merged} with the order {@code mine} gave the rules it shares with {@code base}, if it gave them
   * another: those rules are put in that order in the places they hold, and the others stay where they are.
   */
  private static List<ChaosRule> reordered(List<ChaosRule> base, List<ChaosRule> mine, List<ChaosRule> merged) {
    Set<String> kept = new LinkedHashSet<>(byName(base).keySet());
    kept.retainAll(byName(mine).keySet());
    List<String> wasOrder = base.stream().map(ChaosRule::name).filter(kept::contains).toList();
    List<String> myOrder = mine.stream().map(ChaosRule::name).filter(kept::contains).toList();
    if (wasOrder.equals(myOrder)) {
      return merged;
    }
    List<Integer> slots = new ArrayList<>();
    for (int i = 0; i < merged.size(); i++) {
      if (kept.contains(merged.get(i).name())) {
        slots.add(i);
      }
    }
    Map<String, ChaosRule> current = byName(merged);
    List<ChaosRule> inOrder = myOrder.stream().filter(current::containsKey).map(current::get).toList();
    List<ChaosRule> out = new ArrayList<>(merged);
    for (int i = 0; i < slots.size() && i < inOrder.size(); i++) {
      out.set(slots.get(i), inOrder.get(i));
    }
    return out;
  }

  private static Map<String, ChaosRule> byName(List<ChaosRule> rules) {
    Map<String, ChaosRule> map = new LinkedHashMap<>();
    rules.forEach(r -> map.put(r.name(), r));
    return map;
  }

  private static int indexOf(List<ChaosRule> rules, String name) {
    for (int i = 0; i < rules.size(); i++) {
      if (rules.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }
}
