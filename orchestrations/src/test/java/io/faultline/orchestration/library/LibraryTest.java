package io.faultline.orchestration.library;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Library changes converge: the newer wins, a delete is not undone by an older copy, merges trade what each side lacks. */
class LibraryTest {

  @TempDir
  Path dir;

  private static JsonObject change(String name, String text, long at) {
    return new JsonObject().put("name", name).put("text", text).put("at", at);
  }

  @Test
  void theNewerChangeWinsInAnyOrderAndTiesPickTheSameText() {
    Library a = new Library(null);
    Library b = new Library(null);
    JsonObject old = change("x", "name: old", 1_000);
    JsonObject newer = change("x", "name: new", 2_000);
    assertThat(a.apply(old)).isTrue();
    assertThat(a.apply(newer)).isTrue();
    assertThat(b.apply(newer)).isTrue();
    assertThat(b.apply(old)).as("an older change is ignored").isFalse();
    assertThat(a.get("x")).isEqualTo(b.get("x")).isEqualTo("name: new");

    Library c = new Library(null);
    Library d = new Library(null);
    c.apply(change("y", "name: aaa", 5));
    c.apply(change("y", "name: bbb", 5));
    d.apply(change("y", "name: bbb", 5));
    d.apply(change("y", "name: aaa", 5));
    assertThat(c.get("y")).isEqualTo(d.get("y")).isEqualTo("name: bbb");
  }

  @Test
  void aDeleteIsNotUndoneByAnOlderCopyButANewerPutRevivesTheEntry() throws Exception {
    Library library = new Library(dir);
    library.apply(change("x", "name: x", 1_000));
    assertThat(Files.getLastModifiedTime(dir.resolve("x.yaml")).toMillis()).isEqualTo(1_000);
    library.apply(change("x", null, 2_000));
    assertThat(library.get("x")).isNull();
    assertThat(dir.resolve("x.yaml")).doesNotExist();
    assertThat(library.apply(change("x", "name: x", 1_500))).isFalse();
    assertThat(library.get("x")).isNull();
    assertThat(library.apply(change("x", "{\"name\": \"x\"}", 3_000))).isTrue();
    assertThat(dir.resolve("x.json")).exists();

    Library reloaded = new Library(dir);
    reloaded.load((name, text) -> true);
    assertThat(reloaded.snapshot()).containsExactly(change("x", "{\"name\": \"x\"}", 3_000));
  }

  @Test
  void aMergeTakesWhatIsNewerThereAndAnswersWhatOnlyThisSideHas() {
    Library joiner = new Library(null);
    joiner.apply(change("mine", "name: mine", 10));
    joiner.apply(change("both", "name: old", 10));
    joiner.apply(change("fresher-here", "name: here", 30));
    Library peer = new Library(null);
    peer.apply(change("theirs", "name: theirs", 10));
    peer.apply(change("both", "name: new", 20));
    peer.apply(change("fresher-here", "name: there", 20));

    JsonArray answer = peer.snapshot();
    assertThat(joiner.merge(answer)).containsExactlyInAnyOrder(change("mine", "name: mine", 10), change("fresher-here", "name: here", 30));
    assertThat(joiner.entries()).containsOnlyKeys("mine", "both", "theirs", "fresher-here");
    assertThat(joiner.get("both")).isEqualTo("name: new");
    assertThat(joiner.get("fresher-here")).isEqualTo("name: here");
  }
}
