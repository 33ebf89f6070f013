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
  }

  @Test
  void refusesWhatIsNotCron() {
    assertThatThrownBy(() -> Cron.parse("every tuesday")).hasMessageContaining("five fields");
    assertThatThrownBy(() -> Cron.parse("61 * * * *")).hasMessageContaining("minute: 61 is outside 0-59");
    assertThatThrownBy(() -> Cron.parse("* 5-2 * * *")).hasMessageContaining("runs backwards");
  }
}
