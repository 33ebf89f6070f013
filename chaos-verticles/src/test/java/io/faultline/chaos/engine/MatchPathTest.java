package io.faultline.chaos.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MatchPathTest {

  @Test
  void aPlainPathIsTheSameObject() {
    String path = "/api/orders/42";
    assertThat(MatchPath.of(path)).isSameAs(path);
    assertThat(MatchPath.of("/")).isEqualTo("/");
    assertThat(MatchPath.of("/a.b/c")).isEqualTo("/a.b/c");
  }

  @Test
  void escapesDotSegmentsAndRepeatedSlashesAreReadAsTheUpstreamReadsThem() {
    assertThat(MatchPath.of("/%66oo")).isEqualTo("/foo");
    assertThat(MatchPath.of("//foo")).isEqualTo("/foo");
    assertThat(MatchPath.of("/x/../foo")).isEqualTo("/foo");
    assertThat(MatchPath.of("/./foo/./bar")).isEqualTo("/foo/bar");
    assertThat(MatchPath.of("/../../foo")).as("never above the root").isEqualTo("/foo");
    assertThat(MatchPath.of("/foo/")).isEqualTo("/foo/");
    assertThat(MatchPath.of("/foo//bar/")).isEqualTo("/foo/bar/");
    assertThat(MatchPath.of("/foo/bar/..")).isEqualTo("/foo/");
    assertThat(MatchPath.of("/caf%C3%A9")).isEqualTo("/café");
    assertThat(MatchPath.of("/a%2Fb")).as("an escaped slash is a slash, as nginx reads it").isEqualTo("/a/b");
    // a dot segment with parameters, as Tomcat and Jetty read it (a rule on /actuator/** missed /a/..;/actuator/env)
    assertThat(MatchPath.of("/a/..;/actuator/env")).isEqualTo("/actuator/env");
    assertThat(MatchPath.of("/a/.;x=1/b")).isEqualTo("/a/b");
    assertThat(MatchPath.of("/a/b..;/c")).as("not a dot segment").isEqualTo("/a/b..;/c");
    assertThat(MatchPath.climbsAboveRoot("/..;/actuator")).isTrue();
    assertThat(MatchPath.climbsAboveRoot("/a/..;/b")).isFalse();
  }

  @Test
  void aMalformedEscapeIsKeptAsWritten() {
    assertThat(MatchPath.of("/100%")).isEqualTo("/100%");
    assertThat(MatchPath.of("/%zz/x")).isEqualTo("/%zz/x");
    assertThat(MatchPath.of("/%4")).isEqualTo("/%4");
  }

  /** A rule's path is read as request paths are: escapes decoded, dot segments resolved, slashes merged; its globs stay. */
  @Test
  void aPatternIsReadAsARequestPathIsAndKeepsItsGlobs() {
    assertThat(MatchPath.pattern("/files/my%20report.pdf")).isEqualTo("/files/my report.pdf");
    assertThat(MatchPath.pattern("/menu//caf%C3%A9/**")).isEqualTo("/menu/café/**");
    assertThat(MatchPath.pattern("/menu/café/*")).as("a config's text, not a request line's bytes").isEqualTo("/menu/café/*");
    assertThat(MatchPath.pattern("/a/./b/../c/**")).isEqualTo("/a/c/**");
    assertThat(MatchPath.pattern("/.well-known/**")).isEqualTo("/.well-known/**");
    assertThat(MatchPath.pattern("**/x%20y.json")).as("no root to resolve from").isEqualTo("**/x y.json");
    assertThat(MatchPath.pattern("/orders/**")).isSameAs("/orders/**");
  }
}
