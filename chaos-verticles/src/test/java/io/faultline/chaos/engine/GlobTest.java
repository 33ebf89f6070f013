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

  /** POST /orders (the create) skipped a route on /orders/** for the default upstream; Ant and Spring match it. */
  @Test
  void aWholeDoubleStarSegmentMayBeNoSegment() {
    assertThat(Glob.path("/orders/**").matches("/orders")).isTrue();
    assertThat(Glob.path("/orders/**").matches("/orders/")).isTrue();
    assertThat(Glob.path("/orders/**").matches("/orders/1/lines")).isTrue();
    assertThat(Glob.path("/orders/**").matches("/ordersx")).isFalse();
    assertThat(Glob.path("/api/**/orders").matches("/api/orders")).isTrue();
    assertThat(Glob.path("/api/**/orders").matches("/api/v1/eu/orders")).isTrue();
    assertThat(Glob.path("/api/**/orders").matches("/apiorders")).isFalse();
    assertThat(Glob.path("/a/**/b/**").matches("/a/b")).isTrue();
    assertThat(Glob.path("/**").matches("/")).isTrue();
    // only a whole segment may be none: /x/**y keeps its meaning
    assertThat(Glob.path("/x/**y").matches("/x")).isFalse();
    assertThat(Glob.path("/x/**y").matches("/x/a/by")).isTrue();
    String deep = "/s".repeat(40); // a long pattern (64 steps or more) follows the same rule
    assertThat(Glob.path(deep + "/**").matches(deep)).isTrue();
    assertThat(Glob.path(deep + "/**/end").matches(deep + "/end")).isTrue();
    assertThat(Glob.path(deep + "/**/end").matches(deep + "end")).isFalse();
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

  @Test
  void manyDoubleStarsAgainstADeepPathAnswerAtOnce() {
    // backtracked by a regular expression, this took hours on the event loop (12 ** against 31 segments)
    Glob deep = Glob.path("/**/**/**/**/**/**/**/**/**/**/**/**/x");
    String path = "/" + "a/".repeat(30) + "y";
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> {
      for (int i = 0; i < 1_000; i++) {
        assertThat(deep.matches(path)).isFalse();
      }
      assertThat(deep.matches("/" + "a/".repeat(30) + "x")).isTrue();
      Glob stars = Glob.value("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b");
      assertThat(stars.matches("a".repeat(5_000))).isFalse();
    });
  }

  @Test
  void aPatternOfMoreThan64StepsMatchesAsAShortOne() {
    String segments = "/s?".repeat(30); // 90 steps
    assertThat(Glob.path(segments + "/**").matches("/s1".repeat(30) + "/x/y")).isTrue();
    assertThat(Glob.path(segments + "/**").matches("/s1".repeat(29) + "/x/y")).isFalse();
    assertThat(Glob.path(segments + "/*").matches("/s1".repeat(30) + "/x/y")).isFalse();
  }

  /** The regular expression the globs were before, as the reference for what they mean. */
  private static boolean byRegex(String glob, String value, boolean path) {
    String one = path ? "[^/]" : ".";
    String g = path ? glob : glob.replace("**", "*");
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < g.length(); i++) {
      char c = g.charAt(i);
      int stars = 0;
      while (path && c == '/' && i + 1 + stars < g.length() && g.charAt(i + 1 + stars) == '*') {
        stars++;
      }
      if (stars >= 2 && stars % 2 == 0 && (i + 1 + stars == g.length() || g.charAt(i + 1 + stars) == '/')) {
        re.append("(?:/.*)?"); // a whole /** segment (** ** is **) may be no segment
        i += stars;
      } else if (c == '*') {
        if (i + 1 < g.length() && g.charAt(i + 1) == '*') {
          re.append(".*");
          i++;
        } else {
          re.append(one).append('*');
        }
      } else if (c == '?') {
        re.append(one);
      } else {
        re.append(java.util.regex.Pattern.quote(String.valueOf(c)));
      }
    }
    return java.util.regex.Pattern.compile(re.toString(), java.util.regex.Pattern.DOTALL).matcher(value).matches();
  }

  @Test
  void randomPatternsMatchWhatTheirRegularExpressionsMatch() {
    java.util.Random random = new java.util.Random(19);
    String[] pieces = {"a", "b", "/", "*", "**", "?", "."};
    String[] letters = {"a", "b", "/", "."};
    for (int round = 0; round < 20_000; round++) {
      StringBuilder glob = new StringBuilder("/");
      for (int i = random.nextInt(8); i >= 0; i--) {
        glob.append(pieces[random.nextInt(pieces.length)]);
      }
      StringBuilder value = new StringBuilder("/");
      for (int i = random.nextInt(12); i >= 0; i--) {
        value.append(letters[random.nextInt(letters.length)]);
      }
      String g = glob.toString();
      String v = value.toString();
      // a path pattern is read as a request path is (MatchPath: slashes merged, dot segments resolved), which can leave
      // no glob in it: a plain path is a prefix, not a regular expression
      String p = MatchPath.pattern(g);
      if (p.indexOf('*') >= 0 || p.indexOf('?') >= 0) {
        assertThat(Glob.path(g).matches(v)).as("path %s against %s", g, v).isEqualTo(byRegex(p, v, true));
      }
      assertThat(Glob.value(g).matches(v)).as("value %s against %s", g, v).isEqualTo(byRegex(g, v, false));
    }
  }
}
