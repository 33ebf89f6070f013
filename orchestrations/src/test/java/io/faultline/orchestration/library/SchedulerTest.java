package io.faultline.orchestration.library;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.orchestration.run.VirtualClock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scheduler reads the node's clock as classic cron does: a time of day runs once when summer time ends or the clock
 * steps back, and one the clock jumped over runs at once. The real scheduler and library, in Berlin's time zone, on a
 * clock the test moves minute by minute.
 */
class SchedulerTest {

  private static final long MINUTE_MS = 60_000;
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  @TempDir
  Path dir;

  private final Vertx vertx = Vertx.vertx();
  private final VirtualClock clock = VirtualClock.manual();
  /** Each start the scheduler told of: the entry's name and the minute it was due at (UTC). */
  private final List<String> started = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /**
   * A started scheduler, the clock at {@code startAt}, over entries given as name, schedule, name, schedule..., and
   * {@code tick}, due every minute, so that the test knows when a minute's schedules were read.
   */
  private void schedule(String startAt, String... given) throws Exception {
    clock.advance(Instant.parse(startAt).toEpochMilli() - clock.millis());
    Library library = new Library(dir);
    List<String> entries = new java.util.ArrayList<>(List.of(given));
    entries.addAll(List.of("tick", "* * * * *"));
    for (int i = 0; i < entries.size(); i += 2) {
      String text = "name: " + entries.get(i) + "\nschedule: \"" + entries.get(i + 1) + "\"\nsteps:\n"
          + "  - {name: s, scenario: {config: {latency: {fixed_delay_ms: 5}}}}\n";
      assertThat(library.apply(library.localChange(entries.get(i), text))).isTrue();
    }
    Scheduler scheduler = new Scheduler(vertx, clock, library, () -> true,
        (name, text) -> Future.succeededFuture(new JsonObject().put("outcome", "started").put("run_id", "r-" + name)),
        outcome -> started.add(outcome.getString("name") + "@" + Instant.ofEpochMilli(outcome.getLong("due_at"))), BERLIN);
    CompletableFuture<Void> running = new CompletableFuture<>();
    vertx.runOnContext(v -> {
      scheduler.start();
      running.complete(null);
    });
    running.get(10, TimeUnit.SECONDS);
  }

  /**
   * Moves the clock on minute by minute until {@code until}, letting each minute's starts happen before the next: the
   * schedules are read on a worker, and the tick's start says they were (the others of a minute start with it).
   */
  private void runUntil(String until) throws Exception {
    long end = Instant.parse(until).toEpochMilli();
    while (clock.millis() < end) {
      int before = ticks();
      clock.advance(MINUTE_MS);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (ticks() == before) {
        assertThat(System.nanoTime()).as("the minute's schedules read").isLessThan(deadline);
        Thread.sleep(2);
      }
    }
  }

  private int ticks() {
    return (int) started.stream().filter(s -> s.startsWith("tick@")).count();
  }

  /** The starts but the tick's. */
  private List<String> starts() {
    return started.stream().filter(s -> !s.startsWith("tick@")).toList();
  }

  @Test
  void aTimeOfDayTheClockRepeatsWhenSummerTimeEndsRunsOnce() throws Exception {
    // 2026-10-25 in Berlin: 03:00 summer time (01:00 UTC) becomes 02:00 winter time, so 02:00-02:59 come twice
    schedule("2026-10-25T00:00:30Z", "nightly", "30 2 * * *", "hourly", "15 * * * *");
    runUntil("2026-10-25T02:00:30Z");
    assertThat(starts()).containsExactly(
        "hourly@2026-10-25T00:15:00Z",   // 02:15 summer time
        "nightly@2026-10-25T00:30:00Z",  // 02:30 summer time, and not again at 02:30 winter time (01:30 UTC)
        "hourly@2026-10-25T01:15:00Z");  // 02:15 winter time: an hour later, an hourly entry runs again
    assertThat(ticks()).as("every minute, the repeated ones too").isEqualTo(120);
  }

  @Test
  void aTimeOfDayTheClockJumpsOverWhenSummerTimeStartsRunsAtOnce() throws Exception {
    // 2026-03-29 in Berlin: 02:00 winter time (01:00 UTC) becomes 03:00 summer time; 02:30 never comes
    schedule("2026-03-29T00:00:30Z", "nightly", "30 2 * * *", "early", "0 3 * * *", "hourly", "15 * * * *");
    runUntil("2026-03-29T01:30:30Z");
    assertThat(starts()).containsExactly(
        "hourly@2026-03-29T00:15:00Z",  // 01:15 winter time
        "early@2026-03-29T01:00:00Z",   // 03:00 summer time, once
        "nightly@2026-03-29T01:00:00Z", // 02:30 was passed over: run at once
        "hourly@2026-03-29T01:15:00Z"); // 03:15 summer time; 02:15, passed over, is not made up for
  }

  @Test
  void aClockSteppedBackDoesNotRunATimeOfDayAgain() throws Exception {
    // 2026-12-01 in Berlin (winter time, UTC+1)
    schedule("2026-12-01T01:58:30Z", "nightly", "0 3 * * *");
    runUntil("2026-12-01T02:00:30Z"); // 02:59 and 03:00 local
    assertThat(started).containsExactly("tick@2026-12-01T01:59:00Z", "nightly@2026-12-01T02:00:00Z", "tick@2026-12-01T02:00:00Z");
    started.clear();
    clock.setBack(45_000); // an NTP step: the wall clock reads 02:59:45 again
    runUntil("2026-12-01T02:01:10Z");
    // the first minute moved on crossed two minutes' starts (02:59 and 03:00 again): the third tick may still be coming
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (ticks() < 3 && System.nanoTime() < deadline) {
      Thread.sleep(2);
    }
    assertThat(started).as("the minutes as they come, and 03:00 not again").containsExactly(
        "tick@2026-12-01T01:59:00Z", "tick@2026-12-01T02:00:00Z", "tick@2026-12-01T02:01:00Z");
  }
}
