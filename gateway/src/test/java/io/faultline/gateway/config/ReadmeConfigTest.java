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

  /**
   * The README says the faults of {@code fault_injection} are drawn in the order of its table, and users
   * work out the shares they get from that order: it was wrong for {@code grpc_status}, drawn right after
   * {@code http_errors} but listed fifth (0.5 and 0.5 gave 25 % timeouts, not 50 %).
   */
  @Test
  void theFaultInjectionTableListsTheFaultsInTheOrderTheyAreDrawn() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    String section = readme.substring(readme.indexOf("### fault_injection"), readme.indexOf("### rate_limit"));
    java.util.regex.Matcher counted = java.util.regex.Pattern.compile("\\(and named in the flight recorder and traces\\) as\\s+(.*?)\\. A request")
        .matcher(section.replace('\n', ' '));
    assertThat(counted.find()).as("the sentence naming the faults").isTrue();
    java.util.List<String> listed = java.util.Arrays.stream(counted.group(1).split("`")).filter(t -> t.matches("[a-z_]+")).toList();
    assertThat(listed).hasSize(7);
    java.util.List<String> drawn = io.faultline.chaos.engine.FaultTypes.builtIn().stream().map(io.faultline.chaos.engine.FaultTypes.FaultType::name)
        .filter(listed::contains).toList();
    assertThat(listed).isEqualTo(drawn);
  }
}
