package io.faultline.orchestration.library;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;

class CronTest {

  @Test
  void matchesMinutesHoursDaysAndWeekdays() {
    Cron weekdays = Cron.parse("0 3 * * 1-5");
    assertThat(weekdays.matches(LocalDateTime.of(2026, 11, 23, 3, 0))).isTrue();  // a Monday
    assertThat(weekdays.matches(LocalDateTime.of(2026, 11, 22, 3, 0))).isFalse(); // a Sunday
    assertThat(weekdays.matches(LocalDateTime.of(2026, 11, 23, 3, 1))).isFalse();
    Cron every = Cron.parse("*/15 9-17/4 1,15 * *");
    assertThat(every.matches(LocalDateTime.of(2026, 1, 15, 13, 45))).isTrue();
    assertThat(every.matches(LocalDateTime.of(2026, 1, 15, 14, 45))).isFalse();
    assertThat(every.matches(LocalDateTime.of(2026, 1, 16, 13, 45))).isFalse();
    assertThat(Cron.parse("0 0 * * 7").matches(LocalDateTime.of(2026, 11, 22, 0, 0))).isTrue(); // 7 is Sunday too
    // as Vixie cron and cronie: a day field starting with * (a step of it too) is unrestricted, so both must match
    Cron oddWeekdays = Cron.parse("0 9 */2 * 1-5");
    assertThat(oddWeekdays.matches(LocalDateTime.of(2026, 11, 23, 9, 0))).as("Monday the 23rd").isTrue();
    assertThat(oddWeekdays.matches(LocalDateTime.of(2026, 11, 24, 9, 0))).as("Tuesday the 24th").isFalse();
    assertThat(oddWeekdays.matches(LocalDateTime.of(2026, 11, 21, 9, 0))).as("Saturday the 21st").isFalse();
    assertThat(Cron.parse("0 9 */2 * *").matches(LocalDateTime.of(2026, 11, 22, 9, 0))).isFalse();
    assertThat(Cron.parse("0 9 * * */2").matches(LocalDateTime.of(2026, 11, 24, 9, 0))).as("Tuesday: day 2").isTrue();
    assertThat(Cron.parse("0 9 * * */2").matches(LocalDateTime.of(2026, 11, 23, 9, 0))).as("Monday: day 1").isFalse();
  }

  @Test
  void refusesWhatIsNotCron() {
    assertThatThrownBy(() -> Cron.parse("every tuesday")).hasMessageContaining("five fields");
    assertThatThrownBy(() -> Cron.parse("61 * * * *")).hasMessageContaining("minute: 61 is outside 0-59");
    assertThatThrownBy(() -> Cron.parse("* 5-2 * * *")).hasMessageContaining("runs backwards");
  }

  /**
   * What crontab(5) also takes, as a crontab line copied in has it: month and weekday names in any case, in ranges and lists
   * too, and the {@code @} shortcuts. They were refused ("not a number: MON", "must have five fields").
   */
  @Test
  void takesCrontabsNamesAndShortcuts() {
    Cron weekdays = Cron.parse("0 3 * * MON-FRI");
    assertThat(weekdays.matches(LocalDateTime.of(2026, 11, 23, 3, 0))).as("a Monday").isTrue();
    assertThat(weekdays.matches(LocalDateTime.of(2026, 11, 22, 3, 0))).as("a Sunday").isFalse();
    Cron named = Cron.parse("30 6 1 jan,Jul sun");
    assertThat(named.matches(LocalDateTime.of(2026, 7, 1, 6, 30))).as("1 July").isTrue();
    assertThat(named.matches(LocalDateTime.of(2026, 11, 22, 6, 30))).as("a Sunday of November").isFalse();
    assertThat(named.matches(LocalDateTime.of(2027, 1, 3, 6, 30))).as("a Sunday of January").isTrue();
    assertThat(Cron.parse("0 0 * * SAT/2").matches(LocalDateTime.of(2026, 11, 28, 0, 0))).as("Saturday, day 6").isTrue();

    assertThat(Cron.parse("@daily").matches(LocalDateTime.of(2026, 11, 24, 0, 0))).isTrue();
    assertThat(Cron.parse("@midnight").matches(LocalDateTime.of(2026, 11, 24, 0, 1))).isFalse();
    assertThat(Cron.parse("@hourly").matches(LocalDateTime.of(2026, 11, 24, 13, 0))).isTrue();
    assertThat(Cron.parse("@weekly").matches(LocalDateTime.of(2026, 11, 22, 0, 0))).as("a Sunday").isTrue();
    assertThat(Cron.parse("@weekly").matches(LocalDateTime.of(2026, 11, 23, 0, 0))).as("a Monday").isFalse();
    assertThat(Cron.parse(" @MONTHLY ").matches(LocalDateTime.of(2026, 12, 1, 0, 0))).isTrue();
    assertThat(Cron.parse("@yearly").matches(LocalDateTime.of(2027, 1, 1, 0, 0))).isTrue();
    assertThat(Cron.parse("@annually").matches(LocalDateTime.of(2027, 2, 1, 0, 0))).isFalse();
    assertThat(Cron.parse("@daily").fixedTime()).isTrue();
    assertThat(Cron.parse("@hourly").fixedTime()).isFalse();

    assertThatThrownBy(() -> Cron.parse("@reboot")).hasMessageContaining("unknown shortcut @reboot");
    assertThatThrownBy(() -> Cron.parse("0 3 * * MONDAY")).hasMessage("day of week: not a number or a name (SUN-SAT): MONDAY");
    assertThatThrownBy(() -> Cron.parse("0 3 MON * *")).hasMessage("day of month: not a number: MON");
  }

  /** An empty item in a list matched nothing: {@code "0 3 , * *"} was taken, and never ran. */
  @Test
  void refusesAListWithAnEmptyItem() {
    for (String expression : java.util.List.of("0 3 , * *", ", * * * *", "0 , * * *", "0 3 1, * *", "0 3 * * 1,,5")) {
      assertThatThrownBy(() -> Cron.parse(expression)).as(expression).hasMessageContaining("an empty item in the list");
    }
    assertThatThrownBy(() -> Cron.parse("0 3 , * *")).hasMessage("day of month: an empty item in the list \",\"");
  }

  /** A date that never comes would be a schedule that never runs: refused, where it was accepted and then silent for ever. */
  @Test
  void refusesADateThatNeverComes() {
    assertThatThrownBy(() -> Cron.parse("0 0 31 2 *")).hasMessage(
        "day of month: 31 never comes in month 2 (no such date in any year), so this schedule would never run");
    assertThatThrownBy(() -> Cron.parse("0 0 30,31 2 *")).hasMessageContaining("never comes");
    assertThatThrownBy(() -> Cron.parse("0 0 31 4,6,9,11 *")).hasMessageContaining("never comes");
    // 29 February comes in leap years; 31 comes in some month of a list; a weekday may match instead of the day
    assertThat(Cron.parse("0 0 29 2 *").matches(LocalDateTime.of(2028, 2, 29, 0, 0))).isTrue();
    assertThat(Cron.parse("0 0 31 2,3 *").matches(LocalDateTime.of(2027, 3, 31, 0, 0))).isTrue();
    assertThat(Cron.parse("0 0 31 2 1").matches(LocalDateTime.of(2027, 2, 1, 0, 0))).isTrue();
  }
}
