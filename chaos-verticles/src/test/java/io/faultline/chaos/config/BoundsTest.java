package io.faultline.chaos.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every number in the chaos config has a floor and a ceiling: absurd values are refused by name, not half-obeyed. */
class BoundsTest {

  private static ChaosConfigException rejected(String json) {
    try {
      ChaosJson.parse(json, ChaosConfig.class, "");
    } catch (ChaosConfigException e) {
      return e;
    }
    throw new AssertionError("accepted: " + json);
  }

  @Test
  void absurdValuesAreRefusedNamingTheField() {
    Map<String, String> cases = Map.ofEntries(
        Map.entry("{\"latency\": {\"fixed_delay_ms\": 1000000000000000000}}", "latency.fixed_delay_ms"),
        Map.entry("{\"latency\": {\"random_delay_range_ms\": [0, 99999999999]}}", "latency.random_delay_range_ms"),
        Map.entry("{\"latency\": {\"per_message_delay_ms\": 3600001}}", "latency.per_message_delay_ms"),
        Map.entry("{\"rate_limit\": {\"requests_per_second\": 1e-10}}", "rate_limit.requests_per_second"),
        Map.entry("{\"rate_limit\": {\"requests_per_second\": 1e300}}", "rate_limit.requests_per_second"),
        Map.entry("{\"rate_limit\": {\"requests_per_second\": 10, \"burst_size\": 2000000000}}", "rate_limit.burst_size"),
        Map.entry("{\"fault_injection\": {\"timeout_ms\": 86400001}}", "fault_injection.timeout_ms"),
        Map.entry("{\"traffic_shaping\": {\"bandwidth_limit_bps\": 9000000000000000}}", "traffic_shaping.bandwidth_limit_bps"),
        Map.entry("{\"traffic_shaping\": {\"connection_timeout_ms\": 999999999999}}", "traffic_shaping.connection_timeout_ms"),
        Map.entry("{\"circuit_breaker\": {\"reset_timeout_ms\": 999999999999}}", "circuit_breaker.reset_timeout_ms"),
        Map.entry("{\"bulkhead\": {\"queue_timeout_ms\": 999999999999}}", "bulkhead.queue_timeout_ms"),
        Map.entry("{\"websocket\": {\"messages_per_second\": 1e-9}}", "websocket.messages_per_second"),
        Map.entry("{\"websocket\": {\"handshake_delay_ms\": 3600001}}", "websocket.handshake_delay_ms"));
    cases.forEach((json, field) -> {
      ChaosConfigException e = rejected(json);
      assertThat(e.field()).as(json).isEqualTo(field);
      assertThat(e.getMessage()).as(json).contains("got");
    });
  }

  @Test
  void aBlankGraphQlErrorCodeIsRefusedNamingTheField() {
    assertThat(rejected("{\"graphql\": {\"error_probability\": 1, \"error_code\": \" \"}}").field()).isEqualTo("graphql.error_code");
    ChaosConfigException field = rejected("{\"graphql\": {\"field_faults\": [{\"field\": \"Query.user\", \"error_probability\": 1,"
        + " \"code\": \"\"}]}}");
    assertThat(field.field()).isEqualTo("graphql.field_faults[0].code");
    assertThat(field.getMessage()).isEqualTo("must not be blank: leave it out for INTERNAL_SERVER_ERROR");
  }

  /** A field named by two field_faults is refused: both firing gave the one nulled field two errors at one path. */
  @Test
  void aFieldWithTwoFieldFaultsIsRefusedNamingTheSecond() {
    ChaosConfigException e = rejected("{\"graphql\": {\"field_faults\": [{\"field\": \"Query.user\", \"error_probability\": 1},"
        + " {\"field\": \"Query.user\", \"delay_ms\": 5}]}}");
    assertThat(e.field()).isEqualTo("graphql.field_faults[1].field");
    assertThat(e.getMessage()).startsWith("Query.user has a fault already (field_faults[0])");
  }

  /** An error_status that carries no body is refused: the client got an empty 204, none of the errors. */
  @Test
  void aGraphQlErrorStatusWithoutABodyIsRefusedNamingTheField() {
    for (int status : new int[] {204, 205, 304}) {
      ChaosConfigException e = rejected("{\"graphql\": {\"error_probability\": 1, \"error_status\": " + status + "}}");
      assertThat(e.field()).isEqualTo("graphql.error_status");
      assertThat(e.getMessage()).isEqualTo("must be a status that carries a body (the GraphQL errors), not " + status);
    }
  }

  @Test
  void theLimitsThemselvesAreAccepted() {
    ChaosConfig config = ChaosJson.parse("""
        {"latency": {"fixed_delay_ms": 3600000}, "rate_limit": {"requests_per_second": 0.001},
         "fault_injection": {"timeout_ms": 86400000}, "websocket": {"messages_per_second": 0}}
        """, ChaosConfig.class, "");
    assertThat(config.latency().fixedDelayMs()).isEqualTo(3_600_000);
    assertThat(config.rateLimit().requestsPerSecond()).isEqualTo(0.001);
  }

  @Test
  void theMessageSaysTheLimitInUnits() {
    assertThat(rejected("{\"fault_injection\": {\"timeout_ms\": 86400001}}").getMessage()).contains("at most 86400000 (1 day)");
    assertThat(rejected("{\"latency\": {\"fixed_delay_ms\": 3600001}}").getMessage()).contains("(1 h)");
  }
}
