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
 * seed, the named scenario, each section, each rule (by name; a changed rule keeps its place, a new one
 * goes last), the active scenario with what stopping it restores. So two nodes that put different rules
 * at once both keep theirs (each used to replace the whole state, and the later one dropped the other's);
 * where both changed the same field, the later change wins, as before.
 */
final class ChaosMerge {

  private ChaosMerge() {
  }

  static Replica merge(Replica base, Replica mine, Replica theirs, long version) {
    ChaosConfig b = base.config();
    ChaosConfig m = mine.config();
    ChaosConfig t = theirs.config();
    SectionValues sections = t.sections();
    for (Section<?> section : Sections.all()) {
      sections = pick(sections, section, b.sections(), m.sections());
    }
    ChaosConfig config = new ChaosConfig(pick(b.enabled(), m.enabled(), t.enabled()), pick(b.seed(), m.seed(), t.seed()),
        pick(b.scenario(), m.scenario(), t.scenario()), sections, rules(b.rules(), m.rules(), t.rules()));
    boolean scenarioChanged = !Objects.equals(base.scenario(), mine.scenario())
        || !Objects.equals(base.beforeScenario(), mine.beforeScenario());
    return new Replica(config, scenarioChanged ? mine.scenario() : theirs.scenario(),
        scenarioChanged ? mine.beforeScenario() : theirs.beforeScenario(), version);
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
    Set<String> names = new LinkedHashSet<>(before.keySet());
    names.addAll(after.keySet());
    List<ChaosRule> out = new ArrayList<>(theirs);
    for (String name : names) {
      ChaosRule rule = after.get(name);
      if (Objects.equals(before.get(name), rule)) {
        continue;
      }
      int at = indexOf(out, name);
      if (rule == null && at >= 0) {
        out.remove(at);
      } else if (rule != null && at >= 0) {
        out.set(at, rule);
      } else if (rule != null) {
        out.add(rule);
      }
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
