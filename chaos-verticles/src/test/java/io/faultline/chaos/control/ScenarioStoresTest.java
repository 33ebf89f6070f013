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
   * The file store, whose next save can be made to wait until released and then fail as a full disk
   * does: the store that runs after it is the one this test watches.
   */
  private static final class FailingOnce implements ScenarioStore {
    final FileScenarioStore file;
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch released = new CountDownLatch(1);
    volatile boolean armed;

    FailingOnce(Path dir) {
      file = new FileScenarioStore(dir);
    }

    @Override
    public List<Scenario> load() {
      return file.load();
    }

    @Override
    public void save(List<Scenario> scenarios) {
      if (armed) {
        armed = false;
        entered.countDown();
        try {
          released.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
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
    FailingOnce store = new FailingOnce(dir);
    ChaosState state = new ChaosState(ChaosConfig.off());
    vertx.deployVerticle(new ChaosControlVerticle(state, store)).await(10, TimeUnit.SECONDS);
    for (String name : List.of("kept", "other")) {
      send(Addresses.SCENARIO_SAVE, new JsonObject().put("name", name).put("config", new JsonObject())).await(10, TimeUnit.SECONDS);
    }

    store.armed = true;
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

  private Future<Message<JsonObject>> send(String address, JsonObject body) {
    return vertx.eventBus().request(address, body);
  }
}
