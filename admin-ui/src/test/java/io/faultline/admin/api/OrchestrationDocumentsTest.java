package io.faultline.admin.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.orchestration.parse.OrchestrationParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** YAML to JSON and back, as the console's builder and downloads do it, on every reference example. */
class OrchestrationDocumentsTest {

  /** The reference examples, kept once in the orchestrations module. */
  static Stream<Path> examples() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("..", "orchestrations", "src", "test", "resources", "reference-examples"))) {
      List<Path> list = files.sorted().toList();
      assertThat(list).hasSize(11);
      return list.stream();
    }
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyReferenceExampleSurvivesJsonAndBackToYaml(Path file) throws IOException {
    String original = Files.readString(file);
    String json = OrchestrationDocuments.toJson(original);
    String yaml = OrchestrationDocuments.toYaml(json);

    assertThat(json).startsWith("{");
    assertThat(OrchestrationDocuments.tree(json)).isEqualTo(OrchestrationDocuments.tree(original));
    assertThat(OrchestrationDocuments.tree(yaml)).isEqualTo(OrchestrationDocuments.tree(original));
    assertThat(OrchestrationParser.parse(yaml).problems()).isEmpty();
    assertThat(OrchestrationParser.parse(yaml).orchestration().name())
        .isEqualTo(OrchestrationParser.parse(original).orchestration().name());
  }

  @Test
  void wholeNumbersAreOneValueWhateverTheirSpelling() {
    assertThat(OrchestrationDocuments.tree("a: 200.0\nb: 0.05\nc: 3")).isEqualTo(Map.of("a", 200L, "b", 0.05, "c", 3L));
    assertThat(OrchestrationDocuments.tree("{\"a\": 200, \"b\": 0.05, \"c\": 3.0}")).isEqualTo(Map.of("a", 200L, "b", 0.05, "c", 3L));
  }

  @Test
  void datesStayTextAndMultiLineStringsBecomeLiteralBlocks() {
    String yaml = OrchestrationDocuments.toYaml("{\"date\": \"2024-01-01\", \"run\": \"echo a\\necho b\\n\", \"n\": \"42\"}");
    assertThat(yaml).contains("date: '2024-01-01'").contains("run: |\n  echo a\n  echo b\n").contains("n: '42'");
    assertThat(OrchestrationDocuments.tree("when: 2024-01-01")).isEqualTo(Map.of("when", "2024-01-01"));
  }

  @Test
  void listsAreIndentedUnderTheirKeyAsTheExamplesWriteThem() {
    assertThat(OrchestrationDocuments.toYaml("{\"steps\": [{\"name\": \"a\", \"duration_seconds\": 5}]}"))
        .isEqualTo("steps:\n  - name: a\n    duration_seconds: 5\n");
  }

  @Test
  void badInputIsRefusedNamingWhereItIsWrong() {
    assertThatThrownBy(() -> OrchestrationDocuments.toJson("name: x\nsteps: [a, b\n"))
        .isInstanceOf(ChaosConfigException.class).hasMessageContaining("malformed YAML at line");
    assertThatThrownBy(() -> OrchestrationDocuments.toYaml("{\"name\": "))
        .isInstanceOf(ChaosConfigException.class).hasMessageStartingWith("malformed JSON");
    assertThatThrownBy(() -> OrchestrationDocuments.toJson("a:\n  b: .nan\n"))
        .isInstanceOf(ChaosConfigException.class).extracting("field").isEqualTo("a.b");
    assertThatThrownBy(() -> OrchestrationDocuments.toJson("   "))
        .isInstanceOf(ChaosConfigException.class).extracting("field").isEqualTo("body");
  }
}
