package io.faultline.orchestration;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.config.ChaosConfig;
import io.faultline.chaos.control.ChaosControlVerticle;
import io.faultline.chaos.state.ChaosState;
import io.faultline.orchestration.model.MetricNames;
import io.faultline.orchestration.run.VirtualClock;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Library entries' schedules: the real orchestrator and chaos control verticles on a clock the test moves. */
class ScheduleTest {

  private static final long MINUTE_MS = 60_000;

  @TempDir
  Path dir;

  private final Vertx vertx = Vertx.vertx();
  private final ChaosState state = new ChaosState(ChaosConfig.off());
  private final VirtualClock clock = VirtualClock.manual();
  private final List<JsonObject> told = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private JsonObject request(String address, JsonObject body) throws Exception {
    return vertx.eventBus().<JsonObject>request(address, body).await(10, TimeUnit.SECONDS).body();
  }

  private void put(String name, String yaml) throws Exception {
    request(OrchestratorVerticle.LIBRARY_PUT, new JsonObject().put("name", name).put("text", yaml));
  }

  private JsonObject entry(String name) throws Exception {
    return request(OrchestratorVerticle.LIBRARY_LIST, new JsonObject()).getJsonArray("entries").stream()
        .map(JsonObject.class::cast).filter(e -> name.equals(e.getString("name"))).findFirst().orElseThrow();
  }

  /** Moves the clock to {@code seconds} past the next minute's start; answers that minute's start. */
  private long intoNextMinute(int seconds) throws Exception {
    long next = (clock.millis() / MINUTE_MS + 1) * MINUTE_MS;
    clock.advance(next + seconds * 1_000L - clock.millis());
    return next;
  }

  private void awaitTold(int count) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (told.size() < count) {
      assertThat(System.currentTimeMillis()).as("schedule outcomes published").isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  @Test
  void aDueEntryStartsAndOneThatFindsARunGoingOnIsSkippedAndBothAreShownInTheLibrary() throws Exception {
    vertx.eventBus().<JsonObject>consumer(MetricNames.WINDOW_ADDRESS, m -> m.reply(new JsonObject().put("request_count", 10)));
    vertx.eventBus().<JsonObject>consumer(OrchestratorVerticle.SCHEDULED, m -> told.add(m.body()));
    vertx.deployVerticle(new ChaosControlVerticle(state)).await(10, TimeUnit.SECONDS);
    vertx.deployVerticle(new OrchestratorVerticle(false, Set.of(), dir, false, clock)).await(10, TimeUnit.SECONDS);
    String every = "schedule: \"* * * * *\"\nsteps:\n  - {name: hold, scenario: {config: {latency: {fixed_delay_ms: 5}}}, duration_seconds: 600}\n";
    put("alpha", "name: alpha\n" + every);
    put("beta", "name: beta\n" + every);
    put("never", "name: never\nschedule: \"0 0 29 2 *\"\nsteps:\n  - {name: s, scenario: {config: {latency: {fixed_delay_ms: 5}}}}\n");
    put("manual", "name: manual\nsteps:\n  - {name: s, scenario: {config: {latency: {fixed_delay_ms: 5}}}}\n");
    assertThat(entry("alpha").getValue("last_schedule")).as("not due yet").isNull();

    long due = intoNextMinute(2);
    awaitTold(2);
    JsonObject alpha = entry("alpha").getJsonObject("last_schedule");
    JsonObject beta = entry("beta").getJsonObject("last_schedule");
    assertThat(List.of(alpha.getString("outcome"), beta.getString("outcome")))
        .as("both due in the same minute: one starts, the other finds it running").containsExactlyInAnyOrder("started", "skipped");
    JsonObject started = "started".equals(alpha.getString("outcome")) ? alpha : beta;
    JsonObject skipped = started == alpha ? beta : alpha;
    assertThat(started.getLong("due_at")).isEqualTo(due);
    assertThat(started.getString("schedule")).isEqualTo("* * * * *");
    JsonObject status = request(OrchestratorVerticle.STATUS, new JsonObject());
    assertThat(status.getBoolean("is_running")).isTrue();
    assertThat(started.getString("run_id")).isEqualTo(status.getString("run_id"));
    assertThat(skipped.getLong("due_at")).isEqualTo(due);
    assertThat(skipped.getString("reason")).isEqualTo("orchestration " + status.getString("name") + " is running; stop it first");
    assertThat(entry("never").getValue("last_schedule")).isNull();
    assertThat(entry("manual").getValue("last_schedule")).isNull();
    JsonObject got = request(OrchestratorVerticle.LIBRARY_GET, new JsonObject().put("name", skipped == alpha ? "alpha" : "beta"));
    assertThat(got.getJsonObject("last_schedule")).isEqualTo(skipped);

    // the next minute, the run still holds: the other is skipped again, and the running one too
    long next = intoNextMinute(1);
    awaitTold(4);
    assertThat(entry("alpha").getJsonObject("last_schedule").getString("outcome")).isEqualTo("skipped");
    assertThat(entry("beta").getJsonObject("last_schedule").getLong("due_at")).isEqualTo(next);

    // an entry deleted and made again starts afresh: no outcome of the old one's
    request(OrchestratorVerticle.STOP, new JsonObject());
    request(OrchestratorVerticle.LIBRARY_DELETE, new JsonObject().put("name", "alpha"));
    put("alpha", "name: alpha\n" + every);
    assertThat(entry("alpha").getValue("last_schedule")).isNull();
  }
}
