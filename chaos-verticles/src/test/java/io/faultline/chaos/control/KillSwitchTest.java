package io.faultline.chaos.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.faultline.chaos.config.ChaosConfig;
import io.faultline.chaos.state.ChaosState;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The kill switch against the changes of a run it stopped that are still on their way, through the control verticle. */
class KillSwitchTest {

  private final Vertx vertx = Vertx.vertx();
  private final ChaosState state = new ChaosState(ChaosConfig.off());

  @BeforeEach
  void deploy() throws Exception {
    vertx.deployVerticle(new ChaosControlVerticle(state)).await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private JsonObject send(String address, JsonObject body, String source) throws Exception {
    return vertx.eventBus().<JsonObject>request(address, body, new DeliveryOptions().addHeader(Addresses.SOURCE_HEADER, source))
        .await(10, TimeUnit.SECONDS).body();
  }

  private static JsonObject step(int delayMs) {
    return new JsonObject().put("enabled", true).put("latency", new JsonObject().put("fixed_delay_ms", delayMs));
  }

  /**
   * A step a run sent before it heard of the kill switch, applied after it, is refused: it switched chaos on again, and
   * the run, stopping for the kill switch, put nothing back, so chaos stayed on. A run started after the kill switch, and
   * the user's own changes, go on as before.
   */
  @Test
  void aStoppedRunsChangeOnItsWayIsRefusedAndChaosStaysOff() throws Exception {
    send(Addresses.CHAOS_SET, step(5), "orchestration:run-before");
    assertThat(state.config().enabled()).isTrue();
    send(Addresses.CHAOS_DISABLE, null, "rest");

    ReplyException refused = catchThrowableOfType(() -> send(Addresses.CHAOS_SET, step(7), "orchestration:run-before"),
        ReplyException.class);
    assertThat(refused.failureCode()).isEqualTo(409);
    assertThat(refused.getMessage()).contains("chaos was switched off (the kill switch) while orchestration:run-before went on");
    assertThat(catchThrowableOfType(() -> send(Addresses.SCENARIO_START, new JsonObject().put("name", "slow_backend"),
        "orchestration:run-before"), ReplyException.class).failureCode()).isEqualTo(409);
    ReplyException restore = catchThrowableOfType(() -> send(InternalAddresses.CHAOS_RESTORE,
        InternalAddresses.restoring(new JsonObject().put("config", new JsonObject().put("enabled", true))), "orchestration:run-before"),
        ReplyException.class);
    assertThat(restore.failureCode()).as("nor does it put back what it found").isEqualTo(409);
    assertThat(new JsonObject(restore.getMessage()).getString("field")).isEqualTo(KilledRuns.FIELD);
    assertThat(state.config().enabled()).as("chaos stays off").isFalse();
    assertThat(state.config().latency().fixedDelayMs()).as("and the config as the kill switch found it").isEqualTo(5);

    send(Addresses.CHAOS_SET, step(9), "orchestration:run-after");
    assertThat(state.config().enabled()).as("a run started after the kill switch").isTrue();
    send(Addresses.CHAOS_DISABLE, null, "console");
    send(Addresses.CHAOS_ENABLE, null, "rest");
    assertThat(state.config().enabled()).as("the user's own word").isTrue();
  }

  /** A runner's own switch-off (a run ending, a task settling) is no kill switch for the runs beside it. */
  @Test
  void aRunnersOwnSwitchOffStopsNoOtherRun() throws Exception {
    send(Addresses.CHAOS_SET, step(5), "orchestration:run-1");
    send(Addresses.CHAOS_DISABLE, null, "task:t1");
    send(Addresses.CHAOS_SET, step(6), "orchestration:run-1");
    assertThat(state.config().enabled()).isTrue();
  }
}
