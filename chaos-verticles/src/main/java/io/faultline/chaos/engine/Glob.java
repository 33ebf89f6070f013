package io.faultline.chaos.engine;

/**
 * Path, host and header patterns. A path with no wildcard is a prefix on segment boundaries
 * ({@code /api} matches {@code /api} and {@code /api/x}, not {@code /apix}); otherwise {@code *} matches
 * within one segment, {@code **} across segments and {@code ?} one character. A {@code /**} segment may
 * also be no segment at all, as in Ant and Spring: {@code /orders/**} matches {@code /orders}, and
 * {@code /api/**}{@code /orders} matches {@code /api/orders}.
 *
 * <p>Matched on the request path, so in time linear in the value times the pattern, whatever either holds:
 * the pattern is a sequence of steps and the match follows the set of steps it could be at (a bit set),
 * one character at a time, never backtracking. A regular expression backtracked: {@code /**}{@code /**}...
 * against a deep path took seconds to hours on an event loop, which any client could set off once such a
 * rule was in place.
 */
public final class Glob {

  private static final byte CHAR = 0;
  private static final byte ONE = 1;
  private static final byte STAR = 2;
  private static final byte ANY = 3;

  private final String prefix;
  /** The steps of a wildcard pattern (null for a prefix): a character, one character, a run within a segment, any run. */
  private final byte[] kinds;
  private final char[] chars;
  /** Whether {@code *} and {@code ?} stop at {@code /} (paths) or match anything (values). */
  private final boolean segments;
  /** Steps that may be skipped with the one after them: the {@code /} of a whole {@code /**} segment (paths only). */
  private final boolean[] skippable;

  private Glob(String prefix, byte[] kinds, char[] chars, boolean segments) {
    this.prefix = prefix;
    this.kinds = kinds;
    this.chars = chars;
    this.segments = segments;
    this.skippable = kinds == null || !segments ? null : wholeSegmentRuns(kinds, chars);
  }

  /** Marks each {@code /} followed by {@code **} and then by {@code /} or the end, or null when there is none. */
  private static boolean[] wholeSegmentRuns(byte[] kinds, char[] chars) {
    boolean[] marks = null;
    for (int i = 0; i + 1 < kinds.length; i++) {
      boolean slash = kinds[i] == CHAR && chars[i] == '/';
      boolean segmentEnds = i + 2 == kinds.length || kinds[i + 2] == CHAR && chars[i + 2] == '/';
      if (slash && kinds[i + 1] == ANY && segmentEnds) {
        marks = marks == null ? new boolean[kinds.length] : marks;
        marks[i] = true;
      }
    }
    return marks;
  }

  /** A {@code match.path} or a route's {@code path}, read as request paths are ({@link MatchPath#pattern}). */
  public static Glob path(String pattern) {
    String glob = MatchPath.pattern(pattern);
    if (glob.indexOf('*') < 0 && glob.indexOf('?') < 0) {
      String p = glob.endsWith("/") && glob.length() > 1 ? glob.substring(0, glob.length() - 1) : glob;
      return new Glob(p, null, null, true);
    }
    return compile(glob, true);
  }

  /** A whole-value glob where {@code *} matches anything. */
  public static Glob value(String glob) {
    return compile(glob, false);
  }

  public boolean matches(String value) {
    if (value == null) {
      return false;
    }
    if (kinds != null) {
      return kinds.length < 64 ? matchesShort(value) : matchesLong(value);
    }
    if (prefix.equals("/")) {
      return value.startsWith("/");
    }
    return value.startsWith(prefix) && (value.length() == prefix.length() || value.charAt(prefix.length()) == '/');
  }

  private static Glob compile(String glob, boolean segments) {
    byte[] kinds = new byte[glob.length()];
    char[] chars = new char[glob.length()];
    int n = 0;
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*') {
        boolean twice = i + 1 < glob.length() && glob.charAt(i + 1) == '*';
        i += twice ? 1 : 0;
        byte kind = twice || !segments ? ANY : STAR;
        if (n > 0 && kinds[n - 1] == kind) {
          continue; // ** ** is **: equal runs in a row match what one does
        }
        kinds[n++] = kind;
      } else {
        kinds[n] = c == '?' ? ONE : CHAR;
        chars[n++] = c;
      }
    }
    return new Glob(null, java.util.Arrays.copyOf(kinds, n), java.util.Arrays.copyOf(chars, n), segments);
  }

  /** Whether step {@code i} takes character {@code c} and moves on ({@code CHAR}, {@code ONE}). */
  private boolean advances(int i, char c) {
    return kinds[i] == CHAR ? chars[i] == c : kinds[i] == ONE && (!segments || c != '/');
  }

  /** Whether step {@code i} takes character {@code c} and stays ({@code STAR} within a segment, {@code ANY}). */
  private boolean stays(int i, char c) {
    return kinds[i] == ANY || kinds[i] == STAR && (!segments || c != '/');
  }

  /** The steps reachable from {@code states} without a character: past any run, which may be empty. */
  private long closeShort(long states) {
    for (int i = 0; i < kinds.length; i++) {
      if ((states & (1L << i)) != 0) {
        if (kinds[i] >= STAR) {
          states |= 1L << (i + 1);
        }
        if (skippable != null && skippable[i]) {
          states |= 1L << (i + 2);
        }
      }
    }
    return states;
  }

  /** Fewer than 64 steps: the set of steps is one long (bit {@code kinds.length} is the end). */
  private boolean matchesShort(String value) {
    long states = closeShort(1L);
    for (int at = 0; at < value.length() && states != 0; at++) {
      char c = value.charAt(at);
      long next = 0;
      for (long s = states; s != 0; s &= s - 1) {
        int i = Long.numberOfTrailingZeros(s);
        if (i == kinds.length) {
          continue; // at the end, a character more does not match
        }
        if (advances(i, c)) {
          next |= 1L << (i + 1);
        }
        if (stays(i, c)) {
          next |= 1L << i;
        }
      }
      states = closeShort(next);
    }
    return (states & (1L << kinds.length)) != 0;
  }

  /** The same for a long pattern, its set of steps in an array. */
  private boolean matchesLong(String value) {
    int n = kinds.length;
    boolean[] states = new boolean[n + 1];
    boolean[] next = new boolean[n + 1];
    states[0] = true;
    closeLong(states);
    for (int at = 0; at < value.length(); at++) {
      char c = value.charAt(at);
      java.util.Arrays.fill(next, false);
      boolean any = false;
      for (int i = 0; i < n; i++) {
        if (states[i]) {
          if (advances(i, c)) {
            next[i + 1] = true;
            any = true;
          }
          if (stays(i, c)) {
            next[i] = true;
            any = true;
          }
        }
      }
      if (!any) {
        return false;
      }
      boolean[] swap = states;
      states = next;
      next = swap;
      closeLong(states);
    }
    return states[n];
  }

  private void closeLong(boolean[] states) {
    for (int i = 0; i < kinds.length; i++) {
      if (states[i] && kinds[i] >= STAR) {
        states[i + 1] = true;
      }
      if (states[i] && skippable != null && skippable[i]) {
        states[i + 2] = true;
      }
    }
  }
}
