package io.faultline.chaos.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Path, host and header patterns as rules and routes use them. */
class GlobTest {

  @Test
  void aPathWithoutWildcardsIsAPrefixOnSegmentBoundaries() {
    Glob api = Glob.path("/api");
    assertThat(api.matches("/api")).isTrue();
    assertThat(api.matches("/api/orders/7")).isTrue();
    assertThat(api.matches("/apix")).isFalse();
    assertThat(api.matches("/")).isFalse();
    assertThat(Glob.path("/api/").matches("/api/x")).as("a trailing slash is the same prefix").isTrue();
    assertThat(Glob.path("/api/").matches("/api")).isTrue();
    assertThat(Glob.path("/").matches("/anything/at/all")).isTrue();
    assertThat(api.matches(null)).isFalse();
  }

  @Test
  void starStaysInASegmentDoubleStarCrossesThemQuestionMarkIsOneCharacter() {
    assertThat(Glob.path("/api/*/orders").matches("/api/7/orders")).isTrue();
    assertThat(Glob.path("/api/*/orders").matches("/api/7/8/orders")).isFalse();
    assertThat(Glob.path("/api/**").matches("/api/7/8/orders")).isTrue();
    assertThat(Glob.path("/api/**/orders").matches("/api/a/b/orders")).isTrue();
    assertThat(Glob.path("/v?/x").matches("/v2/x")).isTrue();
    assertThat(Glob.path("/v?/x").matches("/v22/x")).isFalse();
    assertThat(Glob.path("/v?/x").matches("/v//x")).as("? is not a separator").isFalse();
    assertThat(Glob.path("*.json").matches("/a.json")).as("a glob matches the whole path").isFalse();
    assertThat(Glob.path("/*.json").matches("/a.json")).isTrue();
  }

  @Test
  void valueGlobsMatchWholeValuesWithStarAcrossEverything() {
    Glob host = Glob.value("*.example.com");
    assertThat(host.matches("api.example.com")).isTrue();
    assertThat(host.matches("a.b.example.com")).isTrue();
    assertThat(host.matches("example.com")).isFalse();
    assertThat(Glob.value("beta-**").matches("beta-1/2")).isTrue();
    assertThat(Glob.value("line\nbreak*").matches("line\nbreak and more")).as("DOTALL").isTrue();
  }

  @Test
  void regexCharactersInAPatternAreLiteral() {
    assertThat(Glob.path("/a+b/(c)/*").matches("/a+b/(c)/d")).isTrue();
    assertThat(Glob.path("/a+b/(c)/*").matches("/aab/c/d")).isFalse();
    assertThat(Glob.value("v1.[x]").matches("v1.[x]")).isTrue();
    assertThat(Glob.value("v1.[x]").matches("v1x[x]")).isFalse();
  }
}
