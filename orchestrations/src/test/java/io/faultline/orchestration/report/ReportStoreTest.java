package io.faultline.orchestration.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The newest reports are kept, in memory and on disk; an older one's file goes (the directory grew a file a run for good). */
class ReportStoreTest {

  private final Vertx vertx = Vertx.vertx();

  @TempDir
  Path dir;

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private static JsonObject report(int i) {
    return new JsonObject().put("id", "run-" + i).put("name", "r").put("status", "succeeded").put("started_at", 1_000L + i);
  }

  private long files() throws Exception {
    try (Stream<Path> listed = Files.list(dir)) {
      return listed.filter(p -> p.toString().endsWith(".json")).count();
    }
  }

  /** Waits until the directory holds {@code count} report files, at most 10 s. */
  private void awaitFiles(long count) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (files() != count) {
      assertThat(System.nanoTime()).as("the directory holds " + count + " reports, not " + files()).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  @Test
  void theNewestAreKeptAndAnOlderReportsFileIsRemoved() throws Exception {
    ReportStore store = new ReportStore(vertx, dir);
    store.load().await();
    for (int i = 0; i < ReportStore.KEPT + 5; i++) {
      JsonObject report = report(i);
      vertx.runOnContext(v -> store.keep(report));
    }
    awaitFiles(ReportStore.KEPT);
    for (int i = 0; i < 5; i++) {
      assertThat(dir.resolve("run-" + i + ".json")).as("older than the newest " + ReportStore.KEPT).doesNotExist();
    }
    assertThat(dir.resolve("run-5.json")).exists();
    ReportStore reloaded = new ReportStore(vertx, dir);
    reloaded.load().await();
    assertThat(reloaded.list()).hasSize(ReportStore.KEPT);
    assertThat(reloaded.get("run-5")).isNotNull();
  }

  @Test
  void aPileLeftByAnEarlierVersionIsTrimmedWhenLoaded() throws Exception {
    for (int i = 0; i < ReportStore.KEPT + 14; i++) {
      Files.writeString(dir.resolve("run-" + i + ".json"), report(i).encode());
    }
    ReportStore store = new ReportStore(vertx, dir);
    store.load().await();
    assertThat(store.list()).hasSize(ReportStore.KEPT);
    awaitFiles(ReportStore.KEPT);
    assertThat(dir.resolve("run-13.json")).doesNotExist();
    assertThat(dir.resolve("run-14.json")).exists();
  }
}
