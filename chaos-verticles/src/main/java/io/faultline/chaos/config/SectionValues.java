package io.faultline.chaos.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The values of the {@link Sections} one config, rule or listener override sets; a section it does not
 * set is null (in a rule: inherited from the global config). Immutable.
 */
public final class SectionValues {

  /** No section set. */
  public static final SectionValues NONE = new SectionValues(new Object[Sections.all().size()]);

  private final Object[] values;

  private SectionValues(Object[] values) {
    this.values = values;
  }

  public <T> T get(Section<T> section) {
    return section.type().cast(values[section.index()]);
  }

  /** The same values with {@code section} set to {@code value} (null: not set). */
  public <T> SectionValues with(Section<T> section, T value) {
    Object[] next = values.clone();
    next[section.index()] = section.type().cast(value);
    return new SectionValues(next);
  }

  /** These values with {@code over}'s merged over them, section by section ({@link Section#merge}). */
  public SectionValues overlay(SectionValues over) {
    Object[] next = new Object[values.length];
    for (Section<?> section : Sections.all()) {
      next[section.index()] = merge(section, over);
    }
    return new SectionValues(next);
  }

  private <T> T merge(Section<T> section, SectionValues over) {
    return section.merge(get(section), over.get(section));
  }

  /** True when {@code value} is one of these sections' values (the very object, not an equal one). */
  public boolean holds(Object value) {
    for (Object v : values) {
      if (v != null && v == value) {
        return true;
      }
    }
    return false;
  }

  /** The sections set, by name, in registration order: their JSON/YAML form. */
  public Map<String, Object> byName() {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Section<?> section : Sections.all()) {
      Object value = values[section.index()];
      if (value != null) {
        out.put(section.name(), value);
      }
    }
    return out;
  }

  /**
   * Reads the sections of a JSON/YAML object, given as the fields its record did not claim itself
   * ({@code fields}): each is read into its section's record, and a name that is no section is an
   * unknown field, refused as Jackson refuses one, naming the fields and sections that exist.
   */
  static SectionValues read(Map<String, Object> unclaimed, List<String> fields) {
    if (unclaimed == null || unclaimed.isEmpty()) {
      return NONE;
    }
    Object[] next = new Object[NONE.values.length];
    unclaimed.forEach((name, tree) -> {
      Section<?> section = Sections.find(name);
      if (section == null) {
        List<String> known = new ArrayList<>(fields);
        known.addAll(Sections.names());
        throw new ChaosConfigException(name, "unknown field; expected one of " + known);
      }
      if (tree != null) {
        next[section.index()] = ChaosJson.convert(tree, section.type(), name);
      }
    });
    return new SectionValues(next);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SectionValues s && Arrays.equals(values, s.values);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return byName().toString();
  }
}
