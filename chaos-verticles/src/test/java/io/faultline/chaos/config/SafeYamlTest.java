package io.faultline.chaos.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SafeYamlTest {

  /** The 588-byte document of the hardening report: nine levels of nine aliases, 9^9 strings once expanded. */
  static final String BILLION_LAUGHS = """
      a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
      b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
      c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
      d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
      e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
      f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
      g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
      h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
      i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
      """;

  @Test
  void numbersReadAsWrittenNotAsYaml11sOctalOrBase60() {
    @SuppressWarnings("unchecked")
    Map<String, Object> read = (Map<String, Object>) SafeYaml.load(
        "octal: 010\nsexagesimal: 1:30\nbinary: 0b11\nhex: 0x10\nseparated: 1_000\nfraction: 0.5\nplain: 10\nnegative: -7\n",
        "body", "body");
    // YAML 1.1 read these as 8, 90 and 3: a delay other than the one written; text now, which a number field refuses
    assertThat(read).containsEntry("octal", "010").containsEntry("sexagesimal", "1:30").containsEntry("binary", "0b11");
    assertThat(read).containsEntry("hex", 16).containsEntry("separated", 1000).containsEntry("fraction", 0.5)
        .containsEntry("plain", 10).containsEntry("negative", -7);
  }

  @Test
  void anAliasBombIsRefusedQuicklyWithAClearError() {
    long started = System.nanoTime();
    assertThatThrownBy(() -> SafeYaml.load(BILLION_LAUGHS, "body", "body"))
        .isInstanceOfSatisfying(ChaosConfigException.class, e -> {
          assertThat(e.field()).isEqualTo("body");
          assertThat(e.getMessage()).contains("anchors and aliases");
        });
    // a bound, not a measurement: expanding it would take minutes and gigabytes
    assertThat(System.nanoTime() - started).isLessThan(5_000_000_000L);
  }

  @Test
  void aDocumentThatIsLargeWithoutAnyAliasIsNotBlamedOnAliases() {
    String large = "[" + "1,".repeat(SafeYaml.MAX_NODES) + "1]";
    assertThatThrownBy(() -> SafeYaml.load(large, "faultline.yaml", "config"))
        .hasMessage("faultline.yaml holds more than " + SafeYaml.MAX_NODES + " values, more than a config is read with; split it or trim it");
  }

  @Test
  void ordinaryAnchorsStillWork() {
    Object parsed = SafeYaml.load("""
        base: &base { fixed_delay_ms: 10, probability: 0.5 }
        one: *base
        two: *base
        """, "f", "config");
    assertThat(((Map<?, ?>) parsed).get("two")).isEqualTo(Map.of("fixed_delay_ms", 10, "probability", 0.5));
  }

  @Test
  void duplicateKeysAreRefusedWithTheirLine() {
    assertThatThrownBy(() -> SafeYaml.load("chaos:\n  enabled: true\n  enabled: false\n", "faultline.yaml", "config"))
        .hasMessageContaining("faultline.yaml line 3").hasMessageContaining("duplicate key enabled");
    assertThatThrownBy(() -> SafeYaml.load("{\"a\": 1, \"a\": 2}", "body", "body")).hasMessageContaining("duplicate key a");
  }

  @Test
  void onlyPlainDataIsBuilt() {
    assertThatThrownBy(() -> SafeYaml.load("!!java.io.File [\"/etc\"]", "f", "config")).isInstanceOf(ChaosConfigException.class);
    assertThat(SafeYaml.load("[1, two]", "f", "config")).isEqualTo(List.of(1, "two"));
    assertThat(SafeYaml.load("", "f", "config")).isNull();
  }
}
