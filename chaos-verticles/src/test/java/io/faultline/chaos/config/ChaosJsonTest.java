package io.faultline.chaos.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChaosJsonTest {

  private static ChaosConfigException rejected(String json) {
    try {
      ChaosJson.parse(json, ChaosConfig.class, "");
    } catch (ChaosConfigException e) {
      return e;
    }
    throw new AssertionError("accepted: " + json);
  }

  @Test
  void readsReferenceFieldNames() {
    ChaosConfig config = ChaosJson.parse("""
        {"enabled": true, "seed": 42,
         "latency": {"enabled": true, "fixed_delay_ms": 500, "jitter_percent": 10.0, "probability": 0.8},
         "fault_injection": {"enabled": true, "http_errors": [500, 503], "http_error_probability": 0.1},
         "rate_limit": {"enabled": true, "requests_per_second": 100, "burst_size": 10},
         "traffic_shaping": {"enabled": true, "bandwidth_limit_bps": 1000000, "packet_loss_percent": 2.0}}
        """, ChaosConfig.class, "");
    assertThat(config.enabled()).isTrue();
    assertThat(config.latency().fixedDelayMs()).isEqualTo(500);
    assertThat(config.latency().probability()).isEqualTo(0.8);
    assertThat(config.faultInjection().httpErrors()).containsExactly(500, 503);
    assertThat(config.rateLimit().burstSize()).isEqualTo(10);
    assertThat(config.trafficShaping().packetLossPercent()).isEqualTo(2.0);
  }

  @Test
  void connectionLimitsAreRefusedInARuleWhereTheyWouldDoNothing() {
    ChaosConfigException e = rejected("{\"rules\": [{\"name\": \"mc\", \"match\": {\"path\": \"/api\"},"
        + " \"traffic_shaping\": {\"max_connections\": 1}}]}");
    assertThat(e.field()).isEqualTo("rules[0].traffic_shaping.max_connections");
    assertThat(e.getMessage()).contains("set it in the global chaos config");
    assertThat(rejected("{\"rules\": [{\"name\": \"t\", \"traffic_shaping\": {\"connection_timeout_ms\": 200}}]}").field())
        .isEqualTo("rules[0].traffic_shaping.connection_timeout_ms");
    // a rule's bandwidth and packet loss act on its requests: taken
    assertThat(ChaosJson.parse("{\"rules\": [{\"name\": \"b\", \"traffic_shaping\": {\"bandwidth_limit_bps\": 1000}}]}",
        ChaosConfig.class, "").rules()).hasSize(1);
  }

  /**
   * A rule's path that starts with a single {@code *} matches nothing (every path starts with /, and {@code *} stays
   * within a segment): refused naming it, where it was taken and never fired. Before a {@code /} it stands for nothing, so
   * {@code *}{@code /api/**} was {@code /api/**} alone, not the one segment before {@code /api} it reads as: refused too.
   * The leading forms that can match are taken.
   */
  @Test
  void aPathThatCanMatchNothingIsRefused() {
    for (String path : new String[] {"*", "*.json", "*?", "api/x", "*/api/**"}) {
      ChaosConfigException e = rejected("{\"rules\": [{\"name\": \"r\", \"match\": {\"path\": \"" + path + "\"}}]}");
      assertThat(e.field()).as(path).isEqualTo("rules[0].match.path");
      assertThat(e.getMessage()).as(path).startsWith("must start with /").endsWith("got " + path);
    }
    java.util.Map<String, String> taken = java.util.Map.of("**.txt", "/a/b.txt", "/*/api/**", "/v1/api/orders", "/*.json", "/a.json");
    taken.forEach((path, request) -> {
      ChaosConfig config = ChaosJson.parse("{\"rules\": [{\"name\": \"r\", \"match\": {\"path\": \"" + path + "\"}}]}",
          ChaosConfig.class, "");
      assertThat(config.rules().get(0).match().path()).isEqualTo(path);
      assertThat(io.faultline.chaos.engine.Glob.path(path).matches(request)).as(path + " matches " + request).isTrue();
    });
  }

  /**
   * A field path's root says which operations select it (Query's fields only queries): a rule that also asks another
   * operation_type was taken and never fired. Refused naming the field; the same root, or no operation_type, is taken.
   */
  @Test
  void aFieldPathTheOperationTypeNeverSelectsIsRefused() {
    ChaosConfigException e = rejected("{\"rules\": [{\"name\": \"r\", \"match\": {\"operation_type\": \"mutation\","
        + " \"fields\": [\"Mutation.checkout\", \"Query.user.orders\"]}}]}");
    assertThat(e.field()).isEqualTo("rules[0].match.fields[1]");
    assertThat(e.getMessage()).contains("Query.user.orders is selected only by a query").contains("operation_type is mutation");
    for (String match : new String[] {"{\"operation_type\": \"Query\", \"fields\": [\"Query.user.orders\"]}",
        "{\"fields\": [\"Query.user.orders\", \"Mutation.checkout\"]}"}) {
      assertThat(ChaosJson.parse("{\"rules\": [{\"name\": \"r\", \"match\": " + match + "}]}", ChaosConfig.class, "").rules())
          .as(match).hasSize(1);
    }
  }

  /** A null in a list or map is refused naming it: it was Jackson's "Cannot construct instance of ...", with no field. */
  @Test
  void aNullInAListOrMapIsRefusedNamingIt() {
    Map.of("{\"rules\": [null]}", "rules[0]",
        "{\"rules\": [{\"name\": \"r\", \"match\": {\"headers\": {\"X-Canary\": null}}}]}", "rules[0].match.headers.X-Canary",
        "{\"rules\": [{\"name\": \"r\", \"match\": {\"nodes\": [\"a\", null]}}]}", "rules[0].match.nodes[1]",
        "{\"rules\": [{\"name\": \"r\", \"match\": {\"regions\": [null]}}]}", "rules[0].match.regions[0]",
        "{\"tcp\": {\"toxics\": [null]}}", "tcp.toxics[0]").forEach((json, field) -> {
          ChaosConfigException e = rejected(json);
          assertThat(e.field()).as(json).isEqualTo(field);
          assertThat(e.getMessage()).as(json).contains("must not be null").doesNotContain("Cannot construct");
        });
  }

  /** A per-client or per-endpoint rate without its switch did nothing (taken and ignored): refused, naming the switch. */
  @Test
  void aPerKeyRateWithoutItsSwitchIsRefused() {
    ChaosConfigException e = rejected("{\"rate_limit\": {\"requests_per_second\": 1000, \"per_ip_requests_per_second\": 5}}");
    assertThat(e.field()).isEqualTo("rate_limit.per_ip_requests_per_second");
    assertThat(e.getMessage()).contains("takes effect only with per_ip: true");
    assertThat(rejected("{\"rate_limit\": {\"requests_per_second\": 10, \"per_endpoint_requests_per_second\": 2}}").field())
        .isEqualTo("rate_limit.per_endpoint_requests_per_second");
    // what a GET answered before (the global rate filled in) is taken back, and no longer answered
    ChaosConfig same = ChaosJson.parse("{\"rate_limit\": {\"requests_per_second\": 1000, \"per_ip_requests_per_second\": 1000}}",
        ChaosConfig.class, "");
    assertThat(same.rateLimit().perIpRequestsPerSecond()).isNull();
    assertThat(ChaosJson.mapper().valueToTree(same.rateLimit()).has("per_ip_requests_per_second")).isFalse();
    ChaosConfig on = ChaosJson.parse("{\"rate_limit\": {\"requests_per_second\": 1000, \"per_ip\": true, \"per_ip_requests_per_second\": 5}}",
        ChaosConfig.class, "");
    assertThat(on.rateLimit().perIpRequestsPerSecond()).isEqualTo(5.0);
    assertThat(ChaosJson.parse("{\"rate_limit\": {\"requests_per_second\": 7, \"per_endpoint\": true}}", ChaosConfig.class, "")
        .rateLimit().perEndpointRate()).as("the global rate by default").isEqualTo(7.0);
  }

  /**
   * What rate_limit works out from the rate (the burst, the per-key rates) is not written into the config: it reads back as
   * given, so a form or a script that reads it, changes the rate and puts it back gets the new rate's. The old rate's
   * burst and per-client rate were read back and put again, so a client stayed at 10/s after the rate went to 1000.
   */
  @Test
  void whatTheRateLimitWorksOutFromTheRateReadsBackAsNotGiven() {
    RateLimitConfig given = ChaosJson.parse("{\"rate_limit\": {\"requests_per_second\": 10, \"per_ip\": true, \"per_endpoint\": true}}",
        ChaosConfig.class, "").rateLimit();
    assertThat(given.burst()).isEqualTo(10);
    assertThat(given.perIpRate()).isEqualTo(10.0);
    var read = ChaosJson.mapper().valueToTree(given);
    assertThat(read.has("burst_size")).isFalse();
    assertThat(read.has("per_ip_requests_per_second")).isFalse();
    assertThat(read.has("per_endpoint_requests_per_second")).isFalse();
    ((com.fasterxml.jackson.databind.node.ObjectNode) read).put("requests_per_second", 1000);
    RateLimitConfig again = ChaosJson.parse("{\"rate_limit\": " + read + "}", ChaosConfig.class, "").rateLimit();
    assertThat(again.burst()).isEqualTo(1000);
    assertThat(again.perIpRate()).isEqualTo(1000.0);
    assertThat(again.perEndpointRate()).isEqualTo(1000.0);
    RateLimitConfig explicit = ChaosJson.parse("{\"rate_limit\": {\"requests_per_second\": 10, \"burst_size\": 3, \"per_ip\": true,"
        + " \"per_ip_requests_per_second\": 2}}", ChaosConfig.class, "").rateLimit();
    assertThat(ChaosJson.mapper().valueToTree(explicit).get("burst_size").asInt()).as("given, it stays").isEqualTo(3);
    assertThat(explicit.burst()).isEqualTo(3);
    assertThat(explicit.perIpRate()).isEqualTo(2.0);
    assertThat(ChaosJson.parse("{\"rate_limit\": {\"requests_per_second\": 0.2}}", ChaosConfig.class, "").rateLimit().burst())
        .as("one second's worth, at least one").isEqualTo(1);
    // what earlier versions wrote into saved configs (state, scenarios, library entries): the worked-out values, read as not given
    RateLimitConfig saved = ChaosJson.parse("{\"rate_limit\": {\"requests_per_second\": 10, \"burst_size\": 10, \"per_ip\": true,"
        + " \"per_ip_requests_per_second\": 10}}", ChaosConfig.class, "").rateLimit();
    assertThat(ChaosJson.mapper().valueToTree(saved).has("burst_size")).isFalse();
    assertThat(ChaosJson.mapper().valueToTree(saved).has("per_ip_requests_per_second")).isFalse();
    assertThat(saved.burst()).isEqualTo(10);
  }

  @Test
  void aSeedIsANumberOrItsDigitsAsTheGraphQlApiAnswersIt() {
    assertThat(ChaosJson.parse("{\"seed\": 42}", ChaosConfig.class, "").seed()).isEqualTo(42L);
    assertThat(ChaosJson.parse("{\"seed\": \"-9007199254740993\"}", ChaosConfig.class, "").seed()).isEqualTo(-9007199254740993L);
    assertThat(ChaosJson.parse("{\"seed\": 9223372036854775807}", ChaosConfig.class, "").seed()).isEqualTo(Long.MAX_VALUE);
    ChaosConfigException words = rejected("{\"seed\": \"forty-two\"}");
    assertThat(words.field()).isEqualTo("seed");
    assertThat(words.getMessage()).contains("must be a whole number").contains("forty-two");
    assertThat(rejected("{\"seed\": \"9223372036854775808\"}").getMessage()).contains("out of range");
    assertThat(rejected("{\"seed\": 9223372036854775808}").getMessage()).contains("out of range");
    assertThat(rejected("{\"seed\": 4.5}").field()).isEqualTo("seed");
  }

  @Test
  void outOfRangeProbabilityNamesTheFieldAndValue() {
    ChaosConfigException e = rejected("{\"latency\": {\"fixed_delay_ms\": 5, \"probability\": 1.5}}");
    assertThat(e.field()).isEqualTo("latency.probability");
    assertThat(e.getMessage()).contains("between 0 and 1").contains("1.5");
  }

  @Test
  void unknownFieldIsRejectedWithItsPath() {
    ChaosConfigException e = rejected("{\"fault_injection\": {\"http_error\": [500]}}");
    assertThat(e.field()).isEqualTo("fault_injection.http_error");
    assertThat(e.getMessage()).contains("unknown field");
  }

  @Test
  void wrongTypeNamesTheField() {
    ChaosConfigException e = rejected("{\"rate_limit\": {\"requests_per_second\": \"fast\"}}");
    assertThat(e.field()).isEqualTo("rate_limit.requests_per_second");
    assertThat(e.getMessage()).contains("number");
    // 1 is not true: a switch takes true or false only
    for (String one : new String[] {"1", "0", "1.0"}) {
      ChaosConfigException flag = rejected("{\"enabled\": " + one + "}");
      assertThat(flag.field()).isEqualTo("enabled");
      assertThat(flag.getMessage()).startsWith("must be true or false");
    }
    assertThat(rejected("{\"rules\": [{\"name\": \"a\", \"latency\": {\"fixed_delay_ms\": 5, \"enabled\": 1}}]}").field())
        .isEqualTo("rules[0].latency.enabled");
  }

  @Test
  void aNumberBeyondTheLongRangeIsRefusedNamingTheField() {
    ChaosConfigException e = rejected("{\"latency\": {\"fixed_delay_ms\": 99999999999999999999}}");
    assertThat(e.field()).isEqualTo("latency.fixed_delay_ms");
    assertThat(e.getMessage()).isEqualTo("is out of range, got 99999999999999999999");
  }

  @Test
  void statusCodesAndRangesAreChecked() {
    assertThat(rejected("{\"fault_injection\": {\"http_errors\": [503, 700], \"http_error_probability\": 1}}").field())
        .isEqualTo("fault_injection.http_errors[1]");
    assertThat(rejected("{\"latency\": {\"random_delay_range_ms\": [500, 100]}}").field())
        .isEqualTo("latency.random_delay_range_ms");
    assertThat(rejected("{\"traffic_shaping\": {\"packet_loss_percent\": 120}}").field())
        .isEqualTo("traffic_shaping.packet_loss_percent");
  }

  @Test
  void nestedRuleErrorsCarryTheIndex() {
    ChaosConfigException e = rejected("{\"rules\": [{\"name\": \"a\"}, {\"name\": \"b\", \"latency\": {\"jitter_percent\": -1}}]}");
    assertThat(e.field()).isEqualTo("rules[1].latency.jitter_percent");
  }

  @Test
  void malformedJsonIsAConfigError() {
    assertThatThrownBy(() -> ChaosJson.parse("{\"enabled\": ", ChaosConfig.class, "body"))
        .isInstanceOf(ChaosConfigException.class)
        .hasMessageContaining("malformed JSON");
  }

  @Test
  void convertsYamlStyleTrees() {
    ChaosConfig config = ChaosJson.config(Map.of("enabled", true,
        "latency", Map.of("random_delay_range_ms", List.of(100, 200))));
    assertThat(config.latency().randomDelayRangeMs()).containsExactly(100L, 200L);
  }

  @Test
  void builtInScenariosCarryReferenceParameters() {
    assertThat(Scenarios.builtIn()).extracting(Scenario::name).containsExactly(
        "network_degradation", "service_instability", "cascading_failure", "peak_traffic", "slow_backend");
    ChaosConfig network = Scenarios.builtIn("network_degradation").config();
    assertThat(network.latency().fixedDelayMs()).isEqualTo(500);
    assertThat(network.latency().jitterPercent()).isEqualTo(20.0);
    assertThat(network.trafficShaping().packetLossPercent()).isEqualTo(5.0);
    assertThat(network.trafficShaping().bandwidthLimitBps()).isEqualTo(100_000);
    ChaosConfig cascading = Scenarios.builtIn("cascading_failure").config();
    assertThat(cascading.latency().randomDelayRangeMs()).containsExactly(1_000L, 5_000L);
    // shares of all requests (ChaosSnapshotTest draws them): each later fault is its share of what is left
    assertThat(cascading.faultInjection().httpErrorProbability()).isEqualTo(0.3);
    assertThat(cascading.faultInjection().timeoutProbability()).isEqualTo(0.2 / 0.7);
    assertThat(cascading.faultInjection().connectionErrorProbability()).isEqualTo(0.1 / 0.5);
    assertThat(cascading.rateLimit().requestsPerSecond()).isEqualTo(10.0);
    ChaosConfig peak = Scenarios.builtIn("peak_traffic").config();
    assertThat(peak.rateLimit().requestsPerSecond()).isEqualTo(50.0);
    assertThat(peak.rateLimit().burstSize()).isEqualTo(10);
    assertThat(peak.rateLimit().perEndpoint()).isTrue();
    assertThat(Scenarios.builtIn("slow_backend").config().latency().fixedDelayMs()).isEqualTo(2_000);
    assertThat(Scenarios.builtIn("service_instability").config().faultInjection().httpErrors()).containsExactly(500, 502, 503, 504);
  }

  @Test
  void grpcStatusNamesAreChecked() {
    ChaosConfigException e = rejected("{\"fault_injection\": {\"grpc_status_codes\": [\"UNAVAILABLE\", \"NOPE\"], \"grpc_status_probability\": 1}}");
    assertThat(e.field()).isEqualTo("fault_injection.grpc_status_codes[1]");
    assertThat(e.getMessage()).contains("RESOURCE_EXHAUSTED");
    assertThat(rejected("{\"fault_injection\": {\"abort_after_messages\": 1, \"abort_status\": \"OK\"}}").field())
        .isEqualTo("fault_injection.abort_status");
  }

  @Test
  void aFractionWhereAWholeNumberBelongsSaysSo() {
    ChaosConfigException fraction = rejected("{\"traffic_shaping\": {\"bandwidth_limit_bps\": 1.5}}");
    assertThat(fraction.field()).isEqualTo("traffic_shaping.bandwidth_limit_bps");
    assertThat(fraction.getMessage()).isEqualTo("must be a whole number, got 1.5");
    assertThat(rejected("{\"latency\": {\"fixed_delay_ms\": 1e3}}").getMessage())
        .isEqualTo("must be a whole number written without a decimal point or exponent (1000), got 1000.0");
    // whole, in a float's form: the message must not contradict itself ("a whole number, got 200.0")
    assertThat(rejected("{\"latency\": {\"fixed_delay_ms\": 200.0}}").getMessage())
        .isEqualTo("must be a whole number written without a decimal point or exponent (200), got 200.0");
    assertThat(rejected("{\"latency\": {\"fixed_delay_ms\": 1e300}}").getMessage()).isEqualTo("is out of range, got 1.0E300");
    assertThat(rejected("{\"latency\": {\"probability\": \"half\"}}").getMessage()).isEqualTo("must be a number, got half");
    // a number in quotes: "must be a whole number, got 1001" contradicted itself
    assertThat(rejected("{\"websocket\": {\"close_code\": \"1001\"}}").getMessage())
        .isEqualTo("must be a whole number, got \"1001\" in quotes: write it without them");
    // "NaN" and "Infinity" in quotes: Jackson read them as numbers, and a disabled section kept and showed them back
    for (String quoted : new String[] {"NaN", "Infinity", "-Infinity"}) {
      ChaosConfigException nan = rejected("{\"rate_limit\": {\"enabled\": false, \"requests_per_second\": \"" + quoted + "\"}}");
      assertThat(nan.field()).isEqualTo("rate_limit.requests_per_second");
      assertThat(nan.getMessage()).isEqualTo("must be a number, got " + quoted);
    }
    // a toxic's attribute in quotes: "must be a whole number, got 250" contradicted itself
    ChaosConfigException toxic = rejected("{\"tcp\": {\"toxics\": [{\"type\": \"latency\", \"attributes\": {\"latency\": \"250\"}}]}}");
    assertThat(toxic.field()).isEqualTo("tcp.toxics[0].attributes.latency");
    assertThat(toxic.getMessage()).isEqualTo("must be a whole number, got \"250\" in quotes: write it without them");
  }

  /** More rules than a config may have are refused, naming the list: 150,000 held an event loop for seconds and were applied. */
  @Test
  void moreRulesThanAConfigMayHaveAreRefused() {
    StringBuilder json = new StringBuilder("{\"rules\": [");
    for (int i = 0; i <= ChaosConfig.MAX_RULES; i++) {
      json.append(i == 0 ? "" : ",").append("{\"name\": \"r").append(i).append("\"}");
    }
    ChaosConfigException e = rejected(json.append("]}").toString());
    assertThat(e.field()).isEqualTo("rules");
    assertThat(e.getMessage()).startsWith("holds 1001 rules, more than the 1000 a config may have");
    String fits = json.toString().replace(",{\"name\": \"r1000\"}", "");
    assertThat(ChaosJson.parse(fits, ChaosConfig.class, "").rules()).hasSize(ChaosConfig.MAX_RULES);
  }

  /** A blank node, region or zone name names none: the rule was taken, shown, and applied on no node. */
  @Test
  void aBlankNodeRegionOrZoneIsRefused() {
    for (String list : new String[] {"nodes", "regions", "zones"}) {
      ChaosConfigException e = rejected("{\"rules\": [{\"name\": \"r\", \"match\": {\"" + list + "\": [\"a\", \" \"]}}]}");
      assertThat(e.field()).as(list).isEqualTo("rules[0].match." + list + "[1]");
      assertThat(e.getMessage()).as(list).startsWith("must not be empty");
    }
  }

  @Test
  void namesThatAPathCannotCarryAreRefused() {
    for (String name : java.util.List.of("..", ".", "a/b")) {
      ChaosConfigException rule = rejected("{\"rules\": [{\"name\": \"" + name + "\"}]}");
      assertThat(rule.field()).as(name).isEqualTo("rules[0].name");
      assertThat(rule.getMessage()).as(name).contains("not '.' or '..'");
      assertThatThrownBy(() -> ChaosJson.convert(java.util.Map.of("name", name, "upstream", "http://a:1"), ListenerConfig.class, ""))
          .as(name).isInstanceOf(ChaosConfigException.class).extracting("field").isEqualTo("name");
      assertThatThrownBy(() -> ChaosJson.convert(java.util.Map.of("name", name, "config", java.util.Map.of(), "built_in", false), Scenario.class, ""))
          .as(name).isInstanceOf(ChaosConfigException.class).extracting("field").isEqualTo("name");
      ChaosConfigException toxic = rejected("{\"tcp\": {\"toxics\": [{\"name\": \"" + name + "\", \"type\": \"latency\"}]}}");
      assertThat(toxic.field()).as(name).isEqualTo("tcp.toxics[0].name");
    }
    assertThat(ChaosJson.convert(java.util.Map.of("name", "web.v2", "upstream", "http://a:1"), ListenerConfig.class, "").name())
        .isEqualTo("web.v2");
  }

  @Test
  void aRateLimitWithoutItsRateSaysTheRateIsRequired() {
    ChaosConfigException e = rejected("{\"rate_limit\": {\"burst_size\": 5}}");
    assertThat(e.field()).isEqualTo("rate_limit.requests_per_second");
    assertThat(e.getMessage()).startsWith("is required");
  }

  @Test
  void aWholeNumberBeyondItsFieldsRangeIsRefusedNotWrapped() {
    // YAML reads 4294967306 as a long; an int field must not take it as 10 (2^32 + 10)
    assertThatThrownBy(() -> ChaosJson.config(Map.of("rate_limit", Map.of("requests_per_second", 1, "burst_size", 4_294_967_306L))))
        .isInstanceOf(ChaosConfigException.class).extracting("field").isEqualTo("rate_limit.burst_size");
  }

  @Test
  void quotedNumbersAndBooleansAreWrongTypes() {
    assertThat(rejected("{\"latency\": {\"fixed_delay_ms\": \"500\"}}").field()).isEqualTo("latency.fixed_delay_ms");
    assertThat(rejected("{\"enabled\": \"true\"}").field()).isEqualTo("enabled");
  }
}
