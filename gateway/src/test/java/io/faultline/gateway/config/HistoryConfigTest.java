package io.faultline.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.chaos.config.ChaosConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The history, recorder and analytics sections: README's example loads, bad values are refused naming the field. */
class HistoryConfigTest {

  @TempDir
  Path dir;

  private GatewayConfig load(String yaml, Map<Flag, String> flags) throws IOException {
    Path file = dir.resolve("faultline.yaml");
    Files.writeString(file, yaml);
    return ConfigLoader.load(file, Map.of(), flags);
  }

  @Test
  void readmeExampleLoadsAsItIs() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    int start = readme.indexOf("```yaml\nhistory:") + "```yaml\n".length();
    GatewayConfig config = load(readme.substring(start, readme.indexOf("```", start)), Map.of());
    assertThat(config.history().retentionDays()).isEqualTo(90);
    assertThat(config.recorder().queueSize()).isEqualTo(50_000);
    assertThat(config.analytics().zThreshold()).isEqualTo(3.0);
  }

  @Test
  void flagsSetTheSections() throws IOException {
    GatewayConfig config = load("", Map.of(Flag.HISTORY_URL, "postgresql://fl:secret@127.0.0.1:5432/history",
        Flag.RECORDER, "false", Flag.RECORDER_DB, "chaos-test.db", Flag.RECORDER_SAMPLE_RATE, "0.1"));
    assertThat(config.history().url()).startsWith("postgresql://");
    assertThat(config.recorder().enabled()).isFalse();
    assertThat(config.recorder().db()).isEqualTo("chaos-test.db");
    assertThat(config.recorder().sampleRate()).isEqualTo(0.1);
  }

  @Test
  void badValuesAreRefusedNamingTheField() {
    assertThatThrownBy(() -> load("history: {retention_days: 0}", Map.of()))
        .isInstanceOf(ChaosConfigException.class).extracting("field").isEqualTo("history.retention_days");
    assertThatThrownBy(() -> load("history: {url: \"mysql://db/x\"}", Map.of()))
        .isInstanceOf(ChaosConfigException.class).extracting("field").isEqualTo("history.url");
    // an in-memory SQLite database is one per connection: every write failed "no such table" and every read answered 500
    for (String memory : new String[] {"jdbc:sqlite::memory:", "jdbc:sqlite:file:h?mode=memory&cache=shared"}) {
      assertThatThrownBy(() -> load("history: {url: \"" + memory + "\"}", Map.of())).as(memory)
          .isInstanceOf(ChaosConfigException.class).hasMessageContaining("in-memory SQLite database").extracting("field")
          .isEqualTo("history.url");
    }
    assertThatThrownBy(() -> load("history: {flush_ms: 4294967306}", Map.of()))
        .isInstanceOf(ChaosConfigException.class).hasMessageContaining("got 4294967306").extracting("field").isEqualTo("history.flush_ms");
    assertThatThrownBy(() -> load("state_dir: \"\"", Map.of()))
        .isInstanceOf(ChaosConfigException.class).extracting("field").isEqualTo("state_dir");
    assertThatThrownBy(() -> load("history: {url: \"\"}", Map.of()))
        .isInstanceOf(ChaosConfigException.class).hasMessageContaining("must be a database URL").extracting("field").isEqualTo("history.url");
    assertThatThrownBy(() -> load("analytics: {z_threshold: 0.5}", Map.of()))
        .isInstanceOf(ChaosConfigException.class).extracting("field").isEqualTo("analytics.z_threshold");
    assertThatThrownBy(() -> load("recorder: {sample_rate: 2}", Map.of()))
        .isInstanceOf(ChaosConfigException.class).hasMessageContaining("between 0 and 1");
    assertThatThrownBy(() -> load("", Map.of(Flag.RECORDER_SAMPLE_RATE, "2")))
        .isInstanceOf(ChaosConfigException.class).hasMessageContaining("--recorder-sample-rate");
    // a URL made an SQLite file of that name, its password in a directory's name, and no PostgreSQL was used
    assertThatThrownBy(() -> load("recorder: {db: \"postgresql://u:secret@db:5432/rec\"}", Map.of()))
        .isInstanceOf(ChaosConfigException.class).hasMessageContaining("history.url").hasMessageNotContaining("secret")
        .extracting("field").isEqualTo("recorder.db");
    assertThatThrownBy(() -> load("recorder: {enabled: true, bogus: 1}", Map.of()))
        .isInstanceOf(ChaosConfigException.class).extracting("field").asString().contains("bogus");
    // a batch is one INSERT of 500 rows at most, written whole or not at all: 1,000 was written in two, half kept
    assertThatThrownBy(() -> load("history: {batch_size: 1000}", Map.of()))
        .isInstanceOf(ChaosConfigException.class).hasMessageContaining("got 1000").extracting("field").isEqualTo("history.batch_size");
  }

  /** A URL's credentials are percent-decoded, and a '+' is a plus: the password "a+b" was sent as "a b". */
  @Test
  void aPlusInTheUrlsPasswordIsAPlus() {
    io.faultline.history.store.Databases.Target target = io.faultline.history.store.Databases.target(
        "postgresql://fl%40ops:a+b%25c@127.0.0.1:5432/history", null, null, "history.url");
    assertThat(target.user()).isEqualTo("fl@ops");
    assertThat(target.password()).isEqualTo("a+b%c");
  }
}
