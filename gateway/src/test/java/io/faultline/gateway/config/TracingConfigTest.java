package io.faultline.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.chaos.config.ChaosConfigException;
import io.faultline.gateway.tracing.TracingConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tracing section, its flags and their environment twins: off by default, bad values refused naming the field. */
class TracingConfigTest {

  @TempDir
  Path dir;

  private GatewayConfig load(String yaml, Map<String, String> env, Map<Flag, String> flags) throws IOException {
    Path file = dir.resolve("faultline.yaml");
    Files.writeString(file, yaml);
    return ConfigLoader.load(file, env, flags);
  }

  @Test
  void offByDefault() throws IOException {
    TracingConfig tracing = load("", Map.of(), Map.of()).tracing();
    assertThat(tracing.enabled()).isFalse();
    assertThat(tracing.endpoint()).isNull();
    assertThat(tracing.serviceName()).isEqualTo("faultline");
    assertThat(tracing.sampleRate()).isEqualTo(1.0);
  }

  @Test
  void readmeExampleLoadsAsItIs() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    int start = readme.indexOf("```yaml\ntracing:") + "```yaml\n".length();
    TracingConfig tracing = load(readme.substring(start, readme.indexOf("```", start)), Map.of(), Map.of()).tracing();
    assertThat(tracing.enabled()).isTrue();
    assertThat(tracing.endpoint()).isEqualTo("http://localhost:4318/v1/traces");
    assertThat(tracing.serviceName()).isEqualTo("checkout-gateway");
    assertThat(tracing.sampleRate()).isEqualTo(0.25);
  }

  /** Reference 001's "Chaos + Tracing" flags as written there. */
  @Test
  void referenceOnesFlagsSwitchTracingOnWithTheirEndpoint() throws IOException {
    TracingConfig tracing = load("", Map.of(), Map.of(Flag.TRACING, "true", Flag.JAEGER_ENDPOINT, "http://localhost:14268/api/traces")).tracing();
    assertThat(tracing.enabled()).isTrue();
    assertThat(tracing.endpoint()).isEqualTo("http://localhost:14268/api/traces");
    assertThat(load("", Map.of(), Map.of(Flag.OTLP_ENDPOINT, "http://127.0.0.1:4318")).tracing().enabled())
        .as("an endpoint alone switches it on").isTrue();
    assertThat(load("tracing: {enabled: false, endpoint: \"http://127.0.0.1:4318\"}", Map.of(), Map.of()).tracing().enabled())
        .as("unless enabled says otherwise").isFalse();
  }

  @Test
  void everyFlagHasItsEnvironmentTwinAndTheAliasesFollowPrecedence() throws IOException {
    TracingConfig fromEnv = load("", Map.of("FAULTLINE_TRACING", "true", "FAULTLINE_JAEGER_ENDPOINT", "http://jaeger:4318/v1/traces",
        "FAULTLINE_TRACING_SERVICE_NAME", "edge", "FAULTLINE_TRACING_SAMPLE_RATE", "0.5"), Map.of()).tracing();
    assertThat(fromEnv).isEqualTo(new TracingConfig(true, "http://jaeger:4318/v1/traces", "edge", 0.5));
    assertThat(load("", Map.of("FAULTLINE_OTLP_ENDPOINT", "http://otel:4318"), Map.of()).tracing().endpoint()).isEqualTo("http://otel:4318");
    assertThat(load("", Map.of("FAULTLINE_JAEGER_ENDPOINT", "http://jaeger:4318"), Map.of(Flag.OTLP_ENDPOINT, "http://otel:4318"))
        .tracing().endpoint()).as("a flag over a variable, whichever name each uses").isEqualTo("http://otel:4318");
    assertThat(load("", Map.of("FAULTLINE_OTLP_ENDPOINT", "http://otel:4318"), Map.of(Flag.JAEGER_ENDPOINT, "http://jaeger:4318"))
        .tracing().endpoint()).isEqualTo("http://jaeger:4318");
    assertThatThrownBy(() -> load("", Map.of(), Map.of(Flag.JAEGER_ENDPOINT, "http://a:4318", Flag.OTLP_ENDPOINT, "http://b:4318")))
        .isInstanceOf(ChaosConfigException.class).hasMessageContaining("--jaeger-endpoint and --otlp-endpoint")
        .extracting("field").isEqualTo("tracing.endpoint");
    assertThatThrownBy(() -> load("", Map.of(), Map.of(Flag.JAEGER_ENDPOINT, "http://localhost:99999/v1/traces")))
        .isInstanceOf(ChaosConfigException.class).hasMessageContaining("port must be between 1 and 65535")
        .extracting("field").isEqualTo("tracing.endpoint");
    assertThatThrownBy(() -> load("", Map.of("FAULTLINE_JAEGER_ENDPOINT", "http://a:4318", "FAULTLINE_OTLP_ENDPOINT", "http://b:4318"), Map.of()))
        .isInstanceOf(ChaosConfigException.class).hasMessageContaining("FAULTLINE_JAEGER_ENDPOINT and FAULTLINE_OTLP_ENDPOINT");
  }

  @Test
  void badValuesAreRefusedNamingTheFieldAndWhatSetIt() {
    assertThatThrownBy(() -> load("tracing: {sample_rate: 1.5}", Map.of(), Map.of()))
        .isInstanceOf(ChaosConfigException.class).hasMessageStartingWith("must be between 0 and 1, got 1.5 (").hasMessageEndingWith(" line 1)")
        .extracting("field").isEqualTo("tracing.sample_rate");
    assertThatThrownBy(() -> load("", Map.of(), Map.of(Flag.TRACING_SAMPLE_RATE, "-0.1")))
        .isInstanceOf(ChaosConfigException.class).hasMessageContaining("(set by --tracing-sample-rate)");
    assertThatThrownBy(() -> load("", Map.of(), Map.of(Flag.TRACING_SAMPLE_RATE, "half")))
        .isInstanceOf(ChaosConfigException.class).hasMessage("must be a number, got half").extracting("field").isEqualTo("--tracing-sample-rate");
    assertThatThrownBy(() -> load("", Map.of(), Map.of(Flag.JAEGER_ENDPOINT, "udp://localhost:6831")))
        .isInstanceOf(ChaosConfigException.class).hasMessageContaining("http:// or https://").hasMessageContaining("(set by --jaeger-endpoint)")
        .extracting("field").isEqualTo("tracing.endpoint");
    assertThatThrownBy(() -> load("tracing: {endpoint: \"http://jaeger:9999/api/traces\"}", Map.of(), Map.of()))
        .isInstanceOf(ChaosConfigException.class).hasMessageContaining("Thrift").extracting("field").isEqualTo("tracing.endpoint");
    assertThatThrownBy(() -> load("tracing: {service_name: \" \"}", Map.of(), Map.of()))
        .isInstanceOf(ChaosConfigException.class).extracting("field").isEqualTo("tracing.service_name");
    assertThatThrownBy(() -> load("tracing: {enabled: maybe}", Map.of(), Map.of()))
        .isInstanceOf(ChaosConfigException.class).extracting("field").isEqualTo("tracing.enabled");
    assertThatThrownBy(() -> load("", Map.of("FAULTLINE_TRACING", "maybe"), Map.of()))
        .isInstanceOf(ChaosConfigException.class).hasMessage("must be true or false, got maybe").extracting("field").isEqualTo("FAULTLINE_TRACING");
    assertThatThrownBy(() -> load("tracing: {enabled: true, exporter: jaeger}", Map.of(), Map.of()))
        .isInstanceOf(ChaosConfigException.class).extracting("field").isEqualTo("tracing.exporter");
    assertThatThrownBy(() -> load("tracing: true", Map.of(), Map.of()))
        .isInstanceOf(ChaosConfigException.class).extracting("field").asString().startsWith("tracing");
  }
}
