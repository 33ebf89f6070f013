package io.faultline.orchestration.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
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

  private Set<String> files() throws Exception {
    try (Stream<Path> listed = Files.list(dir)) {
      return listed.map(p -> p.getFileName().toString()).filter(name -> name.endsWith(".json")).collect(Collectors.toSet());
    }
  }

  /**
   * Waits until the directory holds exactly the reports {@code first} to {@code last}, at most 10 s. A count alone is
   * not enough: writes and removals overlap, so the directory can pass through the right count with the wrong files.
   */
  private void awaitFiles(int first, int last) throws Exception {
    Set<String> expected = IntStream.rangeClosed(first, last).mapToObj(i -> "run-" + i + ".json").collect(Collectors.toSet());
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!files().equals(expected)) {
      if (System.nanoTime() > deadline) {
        assertThat(new TreeSet<>(files())).as("the reports kept on disk").isEqualTo(new TreeSet<>(expected));
      }
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
    // the newest 50 (run-5 to run-54) stay; run-0 to run-4, older, are removed
    awaitFiles(5, ReportStore.KEPT + 4);
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
    awaitFiles(14, ReportStore.KEPT + 13);
  }
}
