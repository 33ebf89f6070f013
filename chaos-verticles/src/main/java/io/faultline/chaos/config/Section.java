package io.faultline.chaos.config;

import java.util.function.BinaryOperator;

/**
 * One config section: its {@code name} in config files, in the REST paths
 * ({@code /api/chaos/config/NAME}) and in {@code faultline.chaos.set}; the record it is read into; and
 * how a rule's value merges over the global one. Sections are made only by {@link Sections}, which
 * numbers them in registration order.
 */
public final class Section<T> {

  private final String name;
  private final Class<T> type;
  private final BinaryOperator<T> merge;
  private final int index;

  Section(String name, Class<T> type, BinaryOperator<T> merge, int index) {
    this.name = name;
    this.type = type;
    this.merge = merge;
    this.index = index;
  }

  /** A rule that sets the section replaces the global value whole; one that leaves it out inherits it. */
  public static <T> BinaryOperator<T> replacing() {
    return (base, over) -> over != null ? over : base;
  }

  public String name() {
    return name;
  }

  public Class<T> type() {
    return type;
  }

  /** The value a rule's traffic gets: {@code over} (the rule's, may be null) merged over {@code base} (the global one, may be null). */
  public T merge(T base, T over) {
    return merge.apply(base, over);
  }

  int index() {
    return index;
  }

  @Override
  public String toString() {
    return name;
  }
}
