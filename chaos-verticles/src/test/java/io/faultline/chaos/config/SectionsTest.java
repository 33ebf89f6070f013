package io.faultline.chaos.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The section registry: names users see, strict reading of every record that carries sections, and merging. */
class SectionsTest {

  @Test
  void namesAreTheOnesUsersWriteInTheirRegistrationOrder() {
    assertThat(Sections.names()).containsExactly("latency", "fault_injection", "rate_limit", "traffic_shaping",
        "circuit_breaker", "bulkhead", "websocket", "graphql", "tcp");
    assertThat(ChaosSections.NAMES).isEqualTo(Sections.names());
    assertThat(ChaosJson.sectionType("rate_limit")).isEqualTo(RateLimitConfig.class);
  }

  @Test
  void anUnknownSectionNameIsRefusedNamingTheFieldSection() {
    assertThatThrownBy(() -> Sections.byName("latencies"))
        .isInstanceOfSatisfying(ChaosConfigException.class, e -> assertThat(e.field()).isEqualTo("section"))
        .hasMessage("unknown section latencies, expected one of [latency, fault_injection, rate_limit, traffic_shaping,"
            + " circuit_breaker, bulkhead, websocket, graphql, tcp]");
    assertThatThrownBy(() -> ChaosConfig.off().withSection("nope", null)).isInstanceOf(ChaosConfigException.class);
  }

  @Test
  void unknownFieldsAreRefusedWithTheirPathInConfigsRulesAndOverrides() {
    ChaosConfigException top = rejected("{\"latencyy\": {}}", ChaosConfig.class);
    assertThat(top.field()).isEqualTo("latencyy");
    assertThat(top.getMessage()).startsWith("unknown field; expected one of [enabled, seed, scenario, rules, latency,");
    assertThat(rejected("{\"rules\": [{\"name\": \"a\", \"sections\": {}}]}", ChaosConfig.class).field()).isEqualTo("rules[0].sections");
    assertThat(rejected("{\"rules\": [{\"name\": \"a\", \"bulkhead\": {\"max_concurent_requests\": 1}}]}", ChaosConfig.class).field())
        .isEqualTo("rules[0].bulkhead.max_concurent_requests");
    assertThat(rejected("{\"websocket\": {\"close_code\": 5}}", ChaosOverride.class).field()).isEqualTo("websocket.close_code");
    assertThat(rejected("{\"graphql\": []}", ChaosOverride.class).field()).isEqualTo("graphql");
  }

  @Test
  void sectionsAreWrittenBackAsFieldsBesideTheOthers() {
    ChaosConfig config = ChaosJson.parse("{\"enabled\": true, \"latency\": {\"fixed_delay_ms\": 5},"
        + " \"rules\": [{\"name\": \"r\", \"bulkhead\": {\"max_concurrent_requests\": 2}}]}", ChaosConfig.class, "");
    Map<String, Object> json = ChaosJson.toMap(config);
    assertThat(json).containsOnlyKeys("enabled", "latency", "rules");
    assertThat(ChaosJson.convert(json, ChaosConfig.class, "")).isEqualTo(config);
    @SuppressWarnings("unchecked")
    Map<String, Object> rule = ((List<Map<String, Object>>) json.get("rules")).get(0);
    assertThat(rule).containsOnlyKeys("name", "enabled", "match", "bulkhead");
  }

  @Test
  void aRuleReplacesTheSectionsItSetsAndInheritsTheRest() {
    ChaosConfig global = ChaosConfig.off().withSection("latency", LatencyConfig.fixed(10))
        .withSection("rate_limit", new RateLimitConfig(true, 5.0, null, null, null, null));
    ChaosRule rule = new ChaosRule("r", null, null, SectionValues.NONE.with(Sections.LATENCY, LatencyConfig.fixed(99)));
    ChaosConfig merged = global.overlay(rule);
    assertThat(merged.latency().fixedDelayMs()).isEqualTo(99);
    assertThat(merged.rateLimit()).isSameAs(global.rateLimit());
    assertThat(merged.bulkhead()).isNull();
  }

  private static ChaosConfigException rejected(String json, Class<?> type) {
    try {
      ChaosJson.parse(json, type, "");
    } catch (ChaosConfigException e) {
      return e;
    }
    throw new AssertionError("accepted: " + json);
  }
}
