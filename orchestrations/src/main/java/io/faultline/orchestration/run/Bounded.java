package io.faultline.orchestration.run;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A list of report lines that cannot grow without bound in a long run: it keeps the first lines and the newest few
 * (errors: the first usually explains the rest, and the last say how the run ended: an abort, the watchdog, a config
 * not put back) or the newest {@code max} (the log), and says how many it left out, where they were.
 */
final class Bounded {

  /** How many of the newest lines a list of first lines keeps too. */
  static final int TAIL = 20;

  private final int max;
  private final boolean newest;
  private final Deque<String> lines = new ArrayDeque<>();
  /** A list of first lines: the newest lines past the first ones (at most {@link #TAIL}). */
  private final Deque<String> tail = new ArrayDeque<>();
  private int omitted;

  Bounded(int max, boolean newest) {
    this.max = max;
    this.newest = newest;
  }

  void add(String line) {
    int first = newest ? max : max - Math.min(TAIL, max / 2);
    if (lines.size() < first) {
      lines.addLast(line);
      return;
    }
    if (newest) {
      omitted++;
      lines.removeFirst();
      lines.addLast(line);
      return;
    }
    // the first lines are full: the newest go to the tail, the oldest of it left out
    tail.addLast(line);
    if (tail.size() > max - first) {
      tail.removeFirst();
      omitted++;
    }
  }

  /** The kept lines, with a line saying how many were left out (first, or between the first and the last). */
  List<String> list() {
    List<String> out = new ArrayList<>(lines);
    if (omitted > 0 && newest) {
      out.add(0, omitted + " earlier lines left out");
    } else if (omitted > 0) {
      out.add(omitted + " more left out here");
    }
    out.addAll(tail);
    return out;
  }

  /** The kept lines only (for a checkpoint, which {@link #restore}s them). */
  List<String> kept() {
    List<String> out = new ArrayList<>(lines);
    out.addAll(tail);
    return out;
  }

  void restore(List<String> kept) {
    kept.forEach(this::add);
  }
}
