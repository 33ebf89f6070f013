package io.faultline.gateway.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.chaos.config.ChaosConfigException;
import org.junit.jupiter.api.Test;

/** What {@code tracing.endpoint} exports to: OTLP/HTTP URLs as given, base URLs completed, reference 001's Jaeger URL mapped. */
class OtlpEndpointTest {

  @Test
  void referenceOnesJaegerCollectorUrlGoesToTheSameJaegersOtlpReceiverWithAWarning() {
    OtlpEndpoint endpoint = OtlpEndpoint.parse("http://localhost:14268/api/traces");
    assertThat(endpoint.url()).isEqualTo("http://localhost:4318/v1/traces");
    assertThat(endpoint.warning()).contains("http://localhost:14268/api/traces", "Thrift", "http://localhost:4318/v1/traces", "write that URL");
    assertThat(OtlpEndpoint.parse("https://jaeger.example:14268/api/traces/").url()).isEqualTo("https://jaeger.example:4318/v1/traces");
  }

  @Test
  void otlpUrlsAreKeptAndBaseUrlsGetTheTracesPath() {
    assertThat(OtlpEndpoint.parse("http://127.0.0.1:4318/v1/traces").url()).isEqualTo("http://127.0.0.1:4318/v1/traces");
    assertThat(OtlpEndpoint.parse("http://127.0.0.1:4318/v1/traces").warning()).isNull();
    assertThat(OtlpEndpoint.parse("http://collector:4318").url()).isEqualTo("http://collector:4318/v1/traces");
    assertThat(OtlpEndpoint.parse("https://otlp.example/").url()).isEqualTo("https://otlp.example/v1/traces");
    assertThat(OtlpEndpoint.parse("https://otlp.example/tenant/a/v1/traces?key=x").url()).isEqualTo("https://otlp.example/tenant/a/v1/traces?key=x");
    assertThat(new TracingConfig(true, null, null, null).exportTo().url()).as("the default").isEqualTo("http://localhost:4318/v1/traces");
  }

  @Test
  void whatCannotBeAnOtlpHttpEndpointIsRefusedNamingTheField() {
    for (String bad : new String[] {"", "localhost:4318", "ftp://host/v1/traces", "grpc://host:4317", "http:///v1/traces", "http://a b/",
        "http://jaeger:9999/api/traces", "http://jaeger/api/traces", "http://h/" + "x".repeat(3000)}) {
      assertThatThrownBy(() -> OtlpEndpoint.parse(bad)).as(bad).isInstanceOf(ChaosConfigException.class)
          .extracting("field").isEqualTo("endpoint");
    }
    assertThatThrownBy(() -> OtlpEndpoint.parse("http://jaeger:9999/api/traces"))
        .hasMessageContaining("Thrift").hasMessageContaining("http://jaeger:4318/v1/traces");
    assertThatThrownBy(() -> OtlpEndpoint.parse("http://h/" + "x".repeat(3000))).hasMessage("must be at most 2048 characters, got 3009");
    // credentials were kept, logged at start and never sent
    assertThatThrownBy(() -> OtlpEndpoint.parse("http://user:s3cret@127.0.0.1:4318/v1/traces")).isInstanceOf(ChaosConfigException.class)
        .hasMessageContaining("user or password").message().doesNotContain("s3cret");
  }
}
