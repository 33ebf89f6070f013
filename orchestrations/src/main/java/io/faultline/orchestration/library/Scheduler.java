package io.faultline.orchestration.library;

import io.faultline.orchestration.model.Orchestration;
import io.faultline.orchestration.parse.OrchestrationParser;
import io.vertx.core.Vertx;
import java.time.LocalDateTime;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

/** Every minute, starts the library entries whose cron {@code schedule} names that minute. */
public final class Scheduler {

  private static final Logger LOG = Logger.getLogger(Scheduler.class.getName());

  private final Vertx vertx;
  private final Library library;
  private final BooleanSupplier leading;
  private final BiConsumer<String, String> start;
  private long timer = -1;

  /** Runs only while {@code leading} (every node holds the library; the leader runs its schedules); {@code start} gets name and text. */
  public Scheduler(Vertx vertx, Library library, BooleanSupplier leading, BiConsumer<String, String> start) {
    this.vertx = vertx;
    this.library = library;
    this.leading = leading;
    this.start = start;
  }

  public void start() {
    long delay = 60_000 - System.currentTimeMillis() % 60_000 + 50;
    timer = vertx.setTimer(delay, id -> {
      start();
      if (leading.getAsBoolean()) {
        due(LocalDateTime.now());
      }
    });
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  private void due(LocalDateTime minute) {
    library.entries().forEach((name, text) -> {
      Orchestration o = OrchestrationParser.parse(text).orchestration();
      if (o != null && o.schedule() != null && Cron.parse(o.schedule()).matches(minute)) {
        LOG.info(() -> "running scheduled orchestration " + name + " (" + o.schedule() + ")");
        start.accept(name, text);
      }
    });
  }
}
