package io.faultline.orchestration.run;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A list of report lines that cannot grow without bound in a long run: it keeps the first
 * {@code max} (errors: the first usually explains the rest) or the newest {@code max} (the log), and
 * says how many it left out.
 */
final class Bounded {

  private final int max;
  private final boolean newest;
  private final Deque<String> lines = new ArrayDeque<>();
  private int omitted;

  Bounded(int max, boolean newest) {
    this.max = max;
    this.newest = newest;
  }

  void add(String line) {
    if (lines.size() < max) {
      lines.addLast(line);
      return;
    }
    omitted++;
    if (newest) {
      lines.removeFirst();
      lines.addLast(line);
    }
  }

  /** The kept lines, with a line saying how many were left out (first or last, where they were). */
  List<String> list() {
    List<String> out = new ArrayList<>(lines);
    if (omitted > 0 && newest) {
      out.add(0, omitted + " earlier lines left out");
    } else if (omitted > 0) {
      out.add("and " + omitted + " more");
    }
    return out;
  }

  /** The kept lines only (for a checkpoint, which {@link #restore}s them). */
  List<String> kept() {
    return new ArrayList<>(lines);
  }

  void restore(List<String> kept) {
    kept.forEach(this::add);
  }
}
