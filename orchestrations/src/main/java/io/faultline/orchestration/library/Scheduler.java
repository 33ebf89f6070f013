package io.faultline.orchestration.library;

import io.faultline.orchestration.model.Orchestration;
import io.faultline.orchestration.parse.OrchestrationParser;
import io.faultline.orchestration.run.RunClock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Each minute, starts the library entries whose cron {@code schedule} names that minute (in the node's
 * time zone), and hands what became of each to {@code outcomes}: {@code {name, schedule, due_at, outcome}},
 * {@code outcome} being {@code started} (with {@code run_id}), {@code skipped} (another run or an
 * experiment held the chaos config; {@code reason}) or {@code failed} (the start was refused; {@code reason}).
 * It looks every second whether a new minute has begun, on the run clock, so tests can move time. The entries are
 * read for their schedules on a worker thread: an entry may be a megabyte, and each minute every one is parsed.
 *
 * <p>The node's clock is read as classic cron (Vixie's, cronie) reads it. An entry with a time of day (no {@code *} in
 * its minute or hour field: {@code 30 2 * * *}) runs once a day even when the wall clock goes back (daylight saving time's
 * end, or the clock stepped back): the times it repeats do not run again. When the clock jumps ahead by up to three
 * hours (daylight saving time's start, or a check held up), such an entry whose time was passed over runs at once, once
 * however many of those minutes name it. A jump of more than three hours either way is taken for the clock being set:
 * only the minute it lands in runs. Entries with a {@code *} in their minute or hour field ({@code 15 * * * *}) follow the minutes as they come.
 */
public final class Scheduler {

  private static final Logger LOG = Logger.getLogger(Scheduler.class.getName());
  private static final long MINUTE_MS = 60_000;
  private static final long CHECK_MS = 1_000;
  /** The longest jump ahead whose passed-over minutes still run (classic cron's bound). */
  private static final long CATCH_UP_MINUTES = 180;

  private final Vertx vertx;
  private final RunClock clock;
  private final Library library;
  private final BooleanSupplier leading;
  private final BiFunction<String, String, Future<JsonObject>> start;
  private final Consumer<JsonObject> outcomes;
  private final ZoneId zone;
  private long timer = -1;
  private long lastMinute;
  /** The last local minute looked at: one not after it has had its turn. */
  private LocalDateTime lastLocal;

  /**
   * Runs only while {@code leading} (every node holds the library; the leader runs its schedules);
   * {@code start} gets name and text and answers the outcome ({@code outcome}, {@code run_id} or {@code reason}).
   */
  public Scheduler(Vertx vertx, RunClock clock, Library library, BooleanSupplier leading,
      BiFunction<String, String, Future<JsonObject>> start, Consumer<JsonObject> outcomes) {
    this(vertx, clock, library, leading, start, outcomes, ZoneId.systemDefault());
  }

  /** As above, reading schedules in {@code zone} instead of the node's time zone. */
  public Scheduler(Vertx vertx, RunClock clock, Library library, BooleanSupplier leading,
      BiFunction<String, String, Future<JsonObject>> start, Consumer<JsonObject> outcomes, ZoneId zone) {
    this.zone = zone;
    this.vertx = vertx;
    this.clock = clock;
    this.library = library;
    this.leading = leading;
    this.start = start;
    this.outcomes = outcomes;
  }

  /** From the next minute on: the minute the node starts in is not run (it may be half over). */
  public void start() {
    lastMinute = clock.millis() / MINUTE_MS;
    lastLocal = local(lastMinute);
    timer = clock.setPeriodic(CHECK_MS, id -> {
      long minute = clock.millis() / MINUTE_MS;
      if (minute == lastMinute) {
        return;
      }
      lastMinute = minute;
      LocalDateTime local = local(minute);
      // the wall clock went back, its times of day had their turn; more than three hours back, the clock was set
      boolean repeated = !local.isAfter(lastLocal) && !local.plusMinutes(CATCH_UP_MINUTES).isBefore(lastLocal);
      List<LocalDateTime> passed = new ArrayList<>();
      if (!repeated) {
        LocalDateTime first = lastLocal.plusMinutes(1);
        if (first.isBefore(local) && !first.plusMinutes(CATCH_UP_MINUTES).isBefore(local)) {
          for (LocalDateTime m = first; m.isBefore(local); m = m.plusMinutes(1)) {
            passed.add(m);
          }
        }
        lastLocal = local;
      }
      if (leading.getAsBoolean()) {
        due(minute * MINUTE_MS, local, passed, repeated);
      }
    });
  }

  private LocalDateTime local(long minute) {
    return LocalDateTime.ofInstant(Instant.ofEpochMilli(minute * MINUTE_MS), zone);
  }

  public void stop() {
    if (timer >= 0) {
      clock.cancelTimer(timer);
      timer = -1;
    }
  }

  /** An entry whose schedule names this minute: its name, text and schedule. */
  private record Due(String name, String text, String schedule) {
  }

  /**
   * Starts the entries due at {@code local} (now's local minute, {@code at} in epoch milliseconds) and those with a time
   * of day due in one of the {@code passed} minutes, each once; when the minute is {@code repeated}, only the entries
   * without a time of day.
   */
  private void due(long at, LocalDateTime local, List<LocalDateTime> passed, boolean repeated) {
    Map<String, String> entries = new TreeMap<>(library.entries()); // as they are now: the library changes on this thread
    vertx.executeBlocking(() -> dueAt(entries, local, passed, repeated), true)
        .onFailure(e -> LOG.warning(() -> "the library's schedules could not be read: " + e))
        .onSuccess(due -> due.forEach(d -> start(d, at)));
  }

  /** Starts {@code d}, due at {@code at}, if this node still runs schedules (it may have stopped leading meanwhile). */
  private void start(Due d, long at) {
    if (timer < 0 || !leading.getAsBoolean()) {
      return;
    }
    start.apply(d.name(), d.text()).onSuccess(outcome -> {
      JsonObject told = new JsonObject().put("name", d.name()).put("schedule", d.schedule()).put("due_at", at).mergeIn(outcome);
      if ("started".equals(told.getString("outcome"))) {
        LOG.info(() -> "scheduled orchestration " + d.name() + " (" + d.schedule() + ") started: " + told.getString("run_id"));
      } else {
        LOG.warning(() -> "scheduled orchestration " + d.name() + " (" + d.schedule() + ") " + told.getString("outcome")
            + ": " + told.getString("reason"));
      }
      outcomes.accept(told);
    });
  }

  private static List<Due> dueAt(Map<String, String> entries, LocalDateTime local, List<LocalDateTime> passed, boolean repeated) {
    List<Due> due = new ArrayList<>();
    entries.forEach((name, text) -> {
      Orchestration o = OrchestrationParser.parse(text).orchestration();
      if (o != null && o.schedule() != null) {
        Cron cron = Cron.parse(o.schedule());
        boolean now = cron.matches(local) && !(repeated && cron.fixedTime());
        if (now || cron.fixedTime() && passed.stream().anyMatch(cron::matches)) {
          due.add(new Due(name, text, o.schedule()));
        }
      }
    });
    return due;
  }
}
