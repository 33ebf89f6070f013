package io.faultline.orchestration.parse;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.orchestration.Bombs;
import org.junit.jupiter.api.Test;

/** What is refused before an orchestration is read at all. */
class DocumentTest {

  @Test
  void anchorsAndAliasesAreRefusedWithTheirLine() {
    OrchestrationParser.Result bomb = OrchestrationParser.parse(Bombs.BILLION_LAUGHS);
    assertThat(bomb.refused()).isTrue();
    assertThat(bomb.problems()).singleElement().hasToString(
        "line 3: text: YAML anchors and aliases (&name, *name) are not accepted in an orchestration"
            + " (a few of them can expand to billions of values): write the values out");
    OrchestrationParser.Result alias = OrchestrationParser.parse("""
        name: x
        steps:
          - {name: a, scenario: slow_backend}
          - {name: b, scenario: *x}
        """);
    assertThat(alias.refused()).isTrue();
    assertThat(alias.problems().get(0).line()).isEqualTo(4);
  }

  @Test
  void textOverOneMebibyteIsRefused() {
    String text = "name: big\ndescription: \"" + "x".repeat(1 << 20) + "\"\nsteps: [{name: a}]\n";
    OrchestrationParser.Result result = OrchestrationParser.parse(text);
    assertThat(result.refused()).isTrue();
    assertThat(result.problems().get(0).message()).startsWith("an orchestration may be at most 1048576 characters");
  }

  @Test
  void malformedTextIsInvalidNotRefused() {
    OrchestrationParser.Result result = OrchestrationParser.parse("name: [unclosed");
    assertThat(result.refused()).isFalse();
    assertThat(result.valid()).isFalse();
  }

  @Test
  void malformedJsonSaysTheLineOfTheTextAsGiven() {
    // two blank lines before the brace, the error on the document's third line: line 5 of the text
    OrchestrationParser.Result result = OrchestrationParser.parse("\n\n{\"name\": \"j\",\n \"steps\": [\n  {name: \"a\"}]}");
    assertThat(result.problems()).hasSize(1);
    assertThat(result.problems().get(0).line()).isEqualTo(5);
    assertThat(result.problems().get(0).message()).startsWith("malformed JSON at line 5, column 4: Unexpected character ('n'")
        .doesNotContain("Source");
  }

  @Test
  void problemsInAJsonOrchestrationNameTheirLines() {
    OrchestrationParser.Result result = OrchestrationParser.parse("{\n  \"name\": \"j\",\n  \"steps\": [\n    {\"name\": \"a\","
        + " \"duration_seconds\": -1}\n  ]\n}\n");
    assertThat(result.problems()).extracting(p -> p.path() + " (line " + p.line() + ")").containsExactly("steps[0].duration_seconds (line 4)");
  }

  /**
   * JSON nested deeper than 100 levels is a problem of the document, as deep YAML is: 950 nested "not"s
   * overflowed the stack of the walk over the document (an answer of 500).
   */
  @Test
  void jsonNestedTooDeeplyIsAProblemNotACrash() {
    String condition = "{\"type\": \"exists\", \"variable\": \"x\"}";
    for (int i = 0; i < 950; i++) {
      condition = "{\"type\": \"not\", \"condition\": " + condition + "}";
    }
    String document = "{\"name\": \"deep\", \"steps\": [{\"name\": \"a\", \"scenario\": \"slow_backend\", \"condition\": "
        + condition + "}]}";
    OrchestrationParser.Result result = OrchestrationParser.parse(document);
    assertThat(result.valid()).isFalse();
    assertThat(result.problems().get(0).message()).contains("nesting depth");
  }
}
