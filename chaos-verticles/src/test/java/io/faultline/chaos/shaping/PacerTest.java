package io.faultline.chaos.shaping;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The pacer on a fake clock: exact rate for a sender whose timers fire late, no burst after idling, honoured start times. */
class PacerTest {

  private long now = 1_000_000_000L;

  @Test
  void aSenderWhoseTimersFireLateStillGoesAtExactlyTheRate() {
    Pacer pacer = new Pacer(1_000_000, () -> now);
    long start = now;
    long sent = 0;
    while (sent < 10_000_000) {
      long due = pacer.book(16_384, now);
      // A Vert.x timer fires a millisecond or two after its slot: the pacer must not lose that time.
      now = Math.max(now, due) + 1_500_000;
      sent += 16_384;
    }
    double seconds = (now - start) / 1e9;
    // 10,000,000 B at 1,000,000 B/s: the last chunk's slot starts at 10 s less one chunk (16 ms), and goes
    // 1.5 ms late. Before, each chunk restarted the timeline from its late send: 10 s x (16.4 + 1.5) / 16.4 = 10.9 s.
    assertThat(seconds).isBetween(9.99, 10.01);
  }

  /**
   * A message held by a delay before it is sent (gRPC's per_message_delay_ms) takes its time at the rate from the end of
   * that delay: 2,000 bytes at 10,000 B/s after 100 ms go every 300 ms. Booked from its arrival, the held time counted as
   * idle and was caught up, 50 ms a message: every 250 ms, 17% too fast.
   */
  @Test
  void aMessageHeldByADelayTakesItsTimeAtTheRateAfterTheDelay() {
    Pacer pacer = new Pacer(10_000, () -> now);
    for (int i = 0; i < 5; i++) {
      long waitMs = pacer.wholeDelayMs(2_000, 100);
      assertThat(waitMs).as("message " + i).isEqualTo(300);
      now += waitMs * 1_000_000L; // the next message arrives as this one goes
    }
  }

  @Test
  void aStreamThatSatIdleCatchesUpAtMostFiftyMilliseconds() {
    Pacer pacer = new Pacer(1_000_000, () -> now);
    assertThat(pacer.book(1_000_000, now)).isEqualTo(now);
    now += 5_000_000_000L; // idle 4 s past the end of that second
    long start = pacer.book(100_000, now);
    assertThat(start).isEqualTo(now - Pacer.CATCH_UP_NANOS);
    long next = pacer.book(100_000, now);
    assertThat(next).as("50 ms of credit, then 100 ms per 100 kB").isEqualTo(now + 50_000_000L);
  }

  @Test
  void bookingsFollowEachOtherAndAFutureStartIsHonoured() {
    Pacer pacer = new Pacer(1_000, () -> now);
    assertThat(pacer.book(500, now)).isEqualTo(now);
    assertThat(pacer.book(500, now)).isEqualTo(now + 500_000_000L);
    assertThat(pacer.book(10, now + 2_000_000_000L)).isEqualTo(now + 2_000_000_000L);
    assertThat(pacer.book(10, now)).isEqualTo(now + 2_010_000_000L);
  }

  @Test
  void fractionsOfANanosecondAddUpInsteadOfGettingLost() {
    Pacer pacer = new Pacer(3, () -> now);
    long start = now;
    for (int i = 0; i < 3; i++) {
      pacer.book(1, now + 10_000_000_000L);
    }
    // Three 1-byte bookings at 3 B/s from a start 10 s ahead: the next slot is exactly 1 s after it.
    assertThat(pacer.book(0, now)).isEqualTo(start + 11_000_000_000L);
  }

  @Test
  void aWholePieceIsDueWhenItsLastByteHasGoneAndAtOnceWhenPacingStops() {
    boolean[] pacing = {true};
    Pacer pacer = new Pacer(1_000, () -> now, () -> pacing[0]);
    long start = now;
    assertThat(pacer.bookWhole(500, now)).as("500 bytes at 1 kB/s: whole after half a second").isEqualTo(start + 500_000_000L);
    assertThat(pacer.bookWhole(500, now)).as("the next after the first").isEqualTo(start + 1_000_000_000L);
    pacing[0] = false; // the kill switch
    assertThat(pacer.bookWhole(1_000_000, now)).isEqualTo(now);
  }

  @Test
  void delaysAreRoundedUpToWholeMilliseconds() {
    Pacer pacer = new Pacer(1_000_000, () -> now);
    assertThat(pacer.wholeDelayMs(1_500)).as("whole once its 1.5 ms of bytes have gone").isEqualTo(2);
    assertThat(pacer.wholeDelayMs(1)).as("1.501 ms away").isEqualTo(2);
    assertThat(Pacer.waitMs(1)).isEqualTo(1);
    assertThat(Pacer.waitMs(0)).isZero();
  }
}
