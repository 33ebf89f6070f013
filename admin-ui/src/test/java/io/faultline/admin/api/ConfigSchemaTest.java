package io.faultline.admin.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.config.ChaosSections;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The section fields the console draws its forms from, read off the config records. */
class ConfigSchemaTest {

  private final JsonObject schema = ConfigSchema.describe();

  @Test
  void everySectionIsDescribedWithItsFieldsTypesAndDefaults() {
    assertThat(schema.getJsonObject("sections").fieldNames()).containsExactlyInAnyOrderElementsOf(ChaosSections.NAMES);
    JsonArray latency = schema.getJsonObject("sections").getJsonArray("latency");
    assertThat(field(latency, "fixed_delay_ms")).isEqualTo(new JsonObject().put("name", "fixed_delay_ms").put("type", "integer").put("default", 0));
    assertThat(field(latency, "random_delay_range_ms").getString("type")).isEqualTo("integers");
    assertThat(field(latency, "random_delay_range_ms").getValue("default")).isNull();
    assertThat(field(latency, "probability").getString("type")).isEqualTo("number");
    assertThat(field(latency, "enabled").getString("type")).isEqualTo("boolean");
    JsonArray errors = schema.getJsonObject("sections").getJsonArray("fault_injection");
    assertThat(field(errors, "http_errors").getString("type")).isEqualTo("integers");
    assertThat(field(errors, "grpc_status_codes").getString("type")).isEqualTo("strings");
    assertThat(field(schema.getJsonObject("sections").getJsonArray("graphql"), "field_faults").getString("type")).isEqualTo("object");
  }

  @Test
  void aSectionThatNeedsAValueToBeOnStillHasDefaults() {
    JsonArray rateLimit = schema.getJsonObject("sections").getJsonArray("rate_limit");
    assertThat(field(rateLimit, "enabled").getBoolean("default")).isTrue();
    assertThat(field(rateLimit, "scope").getString("default")).isEqualTo("node");
  }

  @Test
  void aRulesMatchIsDescribedToo() {
    JsonArray match = schema.getJsonArray("match");
    assertThat(field(match, "path").getString("type")).isEqualTo("string");
    assertThat(field(match, "methods").getString("type")).isEqualTo("strings");
    assertThat(field(match, "headers").getString("type")).isEqualTo("object");
    assertThat(field(match, "node_percent").getString("type")).isEqualTo("number");
  }

  private static JsonObject field(JsonArray fields, String name) {
    return fields.stream().map(JsonObject.class::cast).filter(f -> f.getString("name").equals(name)).findFirst().orElseThrow();
  }
}
