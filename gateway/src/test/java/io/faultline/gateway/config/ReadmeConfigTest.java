package io.faultline.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The config file example in README.md loads as it is. */
class ReadmeConfigTest {

  @TempDir
  Path dir;

  @Test
  void readmeConfigExampleIsValid() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    int start = readme.indexOf("```yaml\n") + "```yaml\n".length();
    String yaml = readme.substring(start, readme.indexOf("```", start));
    Path file = dir.resolve("faultline.yaml");
    Files.writeString(file, yaml);
    GatewayConfig config = ConfigLoader.load(file, Map.of(), Map.of());
    assertThat(config.listeners().get(0).routes()).hasSize(1);
    assertThat(config.effectiveChaos().rules()).extracting(r -> r.name())
        .containsExactly("checkout-errors", "orders-field-down", "listener:web", "listener:live", "listener:db");
    assertThat(config.effectiveChaos().rules().get(1).match().fields()).containsExactly("Query.user.orders");
    assertThat(config.effectiveChaos().rules().get(3).websocket().messageDropProbability()).isEqualTo(0.05);
    assertThat(config.listeners()).extracting(l -> l.protocol()).containsExactly("http", "grpc", "websocket", "graphql", "tcp");
    assertThat(config.effectiveChaos().rules().get(4).tcp().toxic("slow").attribute("jitter")).isEqualTo(10);
    assertThat(config.toxiproxy().enabled()).isTrue();
    assertThat(config.toxiproxy().port()).isEqualTo(8474);
    assertThat(config.chaos().seed()).isEqualTo(42);
  }
}
