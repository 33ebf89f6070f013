package io.faultline.orchestration.library;

import io.faultline.orchestration.model.Orchestration;
import io.faultline.orchestration.parse.OrchestrationParser;
import io.faultline.orchestration.run.RunClock;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Each minute, starts the library entries whose cron {@code schedule} names that minute (in the node's
 * time zone), and hands what became of each to {@code outcomes}: {@code {name, schedule, due_at, outcome}},
 * {@code outcome} being {@code started} (with {@code run_id}), {@code skipped} (another run or an
 * experiment held the chaos config; {@code reason}) or {@code failed} (the start was refused; {@code reason}).
 * It looks every second whether a new minute has begun, on the run clock, so tests can move time.
 */
public final class Scheduler {

  private static final Logger LOG = Logger.getLogger(Scheduler.class.getName());
  private static final long MINUTE_MS = 60_000;
  private static final long CHECK_MS = 1_000;

  private final RunClock clock;
  private final Library library;
  private final BooleanSupplier leading;
  private final BiFunction<String, String, Future<JsonObject>> start;
  private final Consumer<JsonObject> outcomes;
  private long timer = -1;
  private long lastMinute;

  /**
   * Runs only while {@code leading} (every node holds the library; the leader runs its schedules);
   * {@code start} gets name and text and answers the outcome ({@code outcome}, {@code run_id} or {@code reason}).
   */
  public Scheduler(RunClock clock, Library library, BooleanSupplier leading, BiFunction<String, String, Future<JsonObject>> start,
      Consumer<JsonObject> outcomes) {
    this.clock = clock;
    this.library = library;
    this.leading = leading;
    this.start = start;
    this.outcomes = outcomes;
  }

  /** From the next minute on: the minute the node starts in is not run (it may be half over). */
  public void start() {
    lastMinute = clock.millis() / MINUTE_MS;
    timer = clock.setPeriodic(CHECK_MS, id -> {
      long minute = clock.millis() / MINUTE_MS;
      if (minute != lastMinute) {
        lastMinute = minute;
        if (leading.getAsBoolean()) {
          due(minute * MINUTE_MS);
        }
      }
    });
  }

  public void stop() {
    if (timer >= 0) {
      clock.cancelTimer(timer);
    }
  }

  private void due(long at) {
    LocalDateTime minute = LocalDateTime.ofInstant(Instant.ofEpochMilli(at), ZoneId.systemDefault());
    library.entries().forEach((name, text) -> {
      Orchestration o = OrchestrationParser.parse(text).orchestration();
      if (o != null && o.schedule() != null && Cron.parse(o.schedule()).matches(minute)) {
        start.apply(name, text).onSuccess(outcome -> {
          JsonObject told = new JsonObject().put("name", name).put("schedule", o.schedule()).put("due_at", at).mergeIn(outcome);
          if ("started".equals(told.getString("outcome"))) {
            LOG.info(() -> "scheduled orchestration " + name + " (" + o.schedule() + ") started: " + told.getString("run_id"));
          } else {
            LOG.warning(() -> "scheduled orchestration " + name + " (" + o.schedule() + ") " + told.getString("outcome")
                + ": " + told.getString("reason"));
          }
          outcomes.accept(told);
        });
      }
    });
  }
}
