package io.faultline.orchestration.library;

import java.time.LocalDateTime;
import java.util.BitSet;

/**
 * A five-field cron expression ({@code minute hour day-of-month month day-of-week}) with {@code *},
 * numbers, ranges {@code a-b}, steps {@code *}{@code /n} or {@code a-b/n}, and comma lists. Day of week 0
 * or 7 is Sunday. Months and days of the week may be named as crontab(5) names them, in any case ({@code JAN}-{@code DEC},
 * {@code SUN}-{@code SAT}, in ranges too: {@code MON-FRI}), and the whole expression may be one of its shortcuts
 * ({@code @hourly}, {@code @daily} or {@code @midnight}, {@code @weekly}, {@code @monthly}, {@code @yearly} or
 * {@code @annually}). As in classic cron, when both day fields are restricted either may match, and a day field
 * that starts with {@code *} ({@code *}{@code /2} too) counts as unrestricted: {@code 0 9 *}{@code /2 * 1-5} is odd days
 * that are weekdays. A date that never comes ({@code 0 0 31 2 *}) is refused: the schedule would never run.
 */
public final class Cron {

  /** crontab(5)'s shortcuts, as the five fields they stand for. */
  private static final java.util.Map<String, String> SHORTCUTS = java.util.Map.of("@hourly", "0 * * * *", "@daily", "0 0 * * *",
      "@midnight", "0 0 * * *", "@weekly", "0 0 * * 0", "@monthly", "0 0 1 * *", "@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *");

  private static final java.util.List<String> MONTHS = java.util.List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG",
      "SEP", "OCT", "NOV", "DEC");
  private static final java.util.List<String> WEEKDAYS = java.util.List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

  private final BitSet minutes;
  private final BitSet hours;
  private final BitSet days;
  private final BitSet months;
  private final BitSet weekdays;
  private final boolean anyDay;
  private final boolean anyWeekday;
  private final boolean fixedTime;

  private Cron(String[] f) {
    minutes = field(f[0], 0, 59, "minute", java.util.List.of());
    hours = field(f[1], 0, 23, "hour", java.util.List.of());
    days = field(f[2], 1, 31, "day of month", java.util.List.of());
    months = field(f[3], 1, 12, "month", MONTHS);
    weekdays = field(f[4], 0, 7, "day of week", WEEKDAYS);
    if (weekdays.get(7)) {
      weekdays.set(0);
    }
    // as Vixie cron and cronie read it: a field starting with '*' is unrestricted, a step of it too
    anyDay = f[2].startsWith("*");
    anyWeekday = f[4].startsWith("*");
    fixedTime = !f[0].startsWith("*") && !f[1].startsWith("*");
    if (!anyDay && anyWeekday && !someDayExists()) {
      throw new IllegalArgumentException("day of month: " + f[2] + " never comes in month " + f[3]
          + " (no such date in any year), so this schedule would never run");
    }
  }

  /** Whether a day of month this names exists in a month it names (29 February counts: it comes in leap years). */
  private boolean someDayExists() {
    for (int month = months.nextSetBit(1); month >= 0; month = months.nextSetBit(month + 1)) {
      if (days.nextSetBit(1) <= java.time.Month.of(month).maxLength()) {
        return true;
      }
    }
    return false;
  }

  /** Parses {@code expression}; throws {@link IllegalArgumentException} saying what is wrong. */
  public static Cron parse(String expression) {
    String text = expression == null ? "" : expression.trim();
    if (text.startsWith("@")) {
      String fields = SHORTCUTS.get(text.toLowerCase(java.util.Locale.ROOT));
      if (fields == null) {
        throw new IllegalArgumentException("unknown shortcut " + text + ": one of @hourly, @daily, @midnight, @weekly, @monthly,"
            + " @yearly, @annually (@reboot is no time: a schedule runs at times)");
      }
      text = fields;
    }
    String[] fields = text.split("\\s+");
    if (fields.length != 5) {
      throw new IllegalArgumentException("must have five fields (minute hour day-of-month month day-of-week), got \"" + expression + "\"");
    }
    return new Cron(fields);
  }

  /**
   * Whether this names a time of day (no {@code *} in its minute or hour field): classic cron's "fixed-time" jobs, the
   * ones run late when the clock jumps over their time.
   */
  public boolean fixedTime() {
    return fixedTime;
  }

  /** True when the minute of {@code time} is one this expression names. */
  public boolean matches(LocalDateTime time) {
    boolean day = days.get(time.getDayOfMonth());
    boolean weekday = weekdays.get(time.getDayOfWeek().getValue() % 7);
    boolean dayMatches = anyDay || anyWeekday ? day && weekday : day || weekday;
    return minutes.get(time.getMinute()) && hours.get(time.getHour()) && months.get(time.getMonthValue()) && dayMatches;
  }

  /** {@code names}: what the field's values may be called, the first standing for {@code min} (none: numbers only). */
  private static BitSet field(String text, int min, int max, String name, java.util.List<String> names) {
    BitSet bits = new BitSet(max + 1);
    for (String part : text.split(",", -1)) {
      if (part.isEmpty()) {
        // an empty item matched nothing: the schedule was taken and never ran ("0 3 , * *")
        throw new IllegalArgumentException(name + ": an empty item in the list \"" + text + "\"");
      }
      String range = part;
      int step = 1;
      int slash = part.indexOf('/');
      if (slash >= 0) {
        range = part.substring(0, slash);
        step = number(part.substring(slash + 1), 1, max, name, java.util.List.of());
      }
      int from;
      int to;
      if (range.equals("*")) {
        from = min;
        to = max;
      } else if (range.contains("-")) {
        String[] ends = range.split("-", 2);
        from = number(ends[0], min, max, name, names);
        to = number(ends[1], min, max, name, names);
        if (from > to) {
          throw new IllegalArgumentException(name + ": range " + range + " runs backwards");
        }
      } else {
        from = number(range, min, max, name, names);
        to = slash >= 0 ? max : from;
      }
      for (int i = from; i <= to; i += step) {
        bits.set(i);
      }
    }
    return bits;
  }

  private static int number(String text, int min, int max, String name, java.util.List<String> names) {
    int named = names.indexOf(text.toUpperCase(java.util.Locale.ROOT));
    if (named >= 0) {
      return min + named;
    }
    try {
      int n = Integer.parseInt(text);
      if (n < min || n > max) {
        throw new IllegalArgumentException(name + ": " + n + " is outside " + min + "-" + max);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": not a number" + (names.isEmpty() ? ""
          : " or a name (" + names.get(0) + "-" + names.get(names.size() - 1) + ")") + ": " + text);
    }
  }
}
