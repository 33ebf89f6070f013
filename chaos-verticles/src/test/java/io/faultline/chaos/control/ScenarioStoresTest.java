package io.faultline.chaos.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.config.ChaosConfig;
import io.faultline.chaos.config.Scenario;
import io.faultline.chaos.state.ChaosState;
import io.faultline.chaos.state.FileScenarioStore;
import io.faultline.chaos.state.ScenarioStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saved scenarios stored one change after another, through the control verticle's addresses, to the file store. */
class ScenarioStoresTest {

  @TempDir
  Path dir;

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /**
   * The file store whose first save once armed waits until released, and whose save number {@code failing} from then
   * on fails as a full disk does: the saves queued behind the first run once it is released, each writing the
   * scenarios as they are then. The stores that run after the held one are the ones these tests watch.
   */
  private static final class HeldStore implements ScenarioStore {
    final FileScenarioStore file;
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch released = new CountDownLatch(1);
    final java.util.concurrent.atomic.AtomicInteger saves = new java.util.concurrent.atomic.AtomicInteger(-1);
    volatile int failing;

    HeldStore(Path dir) {
      file = new FileScenarioStore(dir);
    }

    void arm(int failing) {
      this.failing = failing;
      saves.set(0);
    }

    @Override
    public List<Scenario> load() {
      return file.load();
    }

    @Override
    public void save(List<Scenario> scenarios) {
      int n = saves.get() < 0 ? -1 : saves.incrementAndGet();
      if (n == 1) {
        entered.countDown();
        try {
          released.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (n == failing) {
        throw new UncheckedIOException(new java.io.IOException("No space left on device"));
      }
      file.save(scenarios);
    }
  }

  /**
   * A delete that cannot be stored is undone before the store queued behind it writes the file: that
   * store wrote the scenarios without the deleted one while the undo waited for the event loop, so the
   * file lacked a scenario that memory had again and the delete had been answered as not done.
   */
  @Test
  void aFailedDeleteIsUndoneBeforeTheNextStoreWritesTheFile() throws Exception {
    HeldStore store = new HeldStore(dir);
    ChaosState state = new ChaosState(ChaosConfig.off());
    vertx.deployVerticle(new ChaosControlVerticle(state, store)).await(10, TimeUnit.SECONDS);
    for (String name : List.of("kept", "other")) {
      send(Addresses.SCENARIO_SAVE, new JsonObject().put("name", name).put("config", new JsonObject())).await(10, TimeUnit.SECONDS);
    }

    store.arm(1); // the delete's own store: held, then failing
    Future<Message<JsonObject>> delete = send(Addresses.SCENARIO_DELETE, new JsonObject().put("name", "kept"));
    assertThat(store.entered.await(10, TimeUnit.SECONDS)).as("the delete's store began").isTrue();
    Future<Message<JsonObject>> save = send(Addresses.SCENARIO_SAVE, new JsonObject().put("name", "later").put("config", new JsonObject()));
    Thread.sleep(100); // the save made in memory, its store queued behind the delete's
    store.released.countDown();

    Throwable refused = delete.transform(answered -> Future.succeededFuture(answered.cause())).await(10, TimeUnit.SECONDS);
    assertThat(refused).isInstanceOf(ReplyException.class);
    assertThat(((ReplyException) refused).failureCode()).isEqualTo(500);
    assertThat(save.await(10, TimeUnit.SECONDS).body().getString("name")).isEqualTo("later");
    assertThat(state.savedScenarios().stream().map(Scenario::name)).as("in memory").containsExactly("kept", "other", "later");
    assertThat(new FileScenarioStore(dir).load().stream().map(Scenario::name)).as("in the file the next start reads")
        .containsExactly("kept", "other", "later");
  }

  /**
   * A save answered "nothing was saved" is not in the file either: the store before it wrote the scenarios as they were
   * when it ran, this save included, and the file kept it after this save's own store failed and memory undid it; the
   * next start brought it back.
   */
  @Test
  void aSaveAnsweredNotSavedIsNotLeftInTheFileByTheStoreBeforeIt() throws Exception {
    HeldStore store = new HeldStore(dir);
    ChaosState state = new ChaosState(ChaosConfig.off());
    vertx.deployVerticle(new ChaosControlVerticle(state, store)).await(10, TimeUnit.SECONDS);
    store.arm(3); // held: the store of the save "held"; failing: the third, the store of the save "second"
    Future<Message<JsonObject>> held = send(Addresses.SCENARIO_SAVE, new JsonObject().put("name", "held").put("config", new JsonObject()));
    assertThat(store.entered.await(10, TimeUnit.SECONDS)).as("the first store began, and waits").isTrue();
    Future<Message<JsonObject>> first = send(Addresses.SCENARIO_SAVE, new JsonObject().put("name", "first").put("config", new JsonObject()));
    Future<Message<JsonObject>> second = send(Addresses.SCENARIO_SAVE, new JsonObject().put("name", "second").put("config", new JsonObject()));
    Thread.sleep(100); // both made in memory, their stores queued behind the first
    store.released.countDown();

    assertThat(held.await(10, TimeUnit.SECONDS).body().getString("name")).isEqualTo("held");
    assertThat(first.await(10, TimeUnit.SECONDS).body().getString("name")).isEqualTo("first");
    Throwable refused = second.transform(answered -> Future.succeededFuture(answered.cause())).await(10, TimeUnit.SECONDS);
    assertThat(refused).isInstanceOf(ReplyException.class);
    assertThat(refused.getMessage()).contains("nothing was saved");
    assertThat(state.savedScenarios().stream().map(Scenario::name)).as("in memory").containsExactly("held", "first");
    assertThat(new FileScenarioStore(dir).load().stream().map(Scenario::name)).as("in the file the next start reads")
        .containsExactly("held", "first");
  }

  private Future<Message<JsonObject>> send(String address, JsonObject body) {
    return vertx.eventBus().request(address, body);
  }
}
