package io.faultline.gateway.tracing;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.faultline.chaos.config.ChaosConfigException;

/**
 * The {@code tracing:} section: OpenTelemetry spans of every exchange, exported over OTLP/HTTP to
 * {@code endpoint} ({@link OtlpEndpoint}: Jaeger's {@code http://HOST:4318/v1/traces}, or any OTLP
 * collector; default {@code http://localhost:4318/v1/traces}) as service {@code service_name} (default
 * {@code faultline}), for a {@code sample_rate} share (0..1, default 1) of the traces that start here;
 * a client's sampling decision is kept. Off unless {@code enabled}, or an endpoint is given: a gateway
 * sends nothing anywhere unless told to.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TracingConfig(Boolean enabled, String endpoint, String serviceName, Double sampleRate) {

  private static final int MAX_SERVICE_NAME = 255;

  public TracingConfig {
    enabled = enabled != null ? enabled : endpoint != null;
    if (endpoint != null) {
      OtlpEndpoint.parse(endpoint);
    }
    serviceName = serviceName == null ? "faultline" : serviceName;
    if (serviceName.isBlank() || serviceName.length() > MAX_SERVICE_NAME) {
      throw new ChaosConfigException("service_name", "must be 1 to " + MAX_SERVICE_NAME + " characters and not blank, got \""
          + (serviceName.length() > MAX_SERVICE_NAME ? serviceName.substring(0, 40) + "..." : serviceName) + "\"");
    }
    sampleRate = sampleRate == null ? 1.0 : sampleRate;
    if (!(sampleRate >= 0 && sampleRate <= 1)) {
      throw new ChaosConfigException("sample_rate", "must be between 0 and 1, got " + sampleRate);
    }
  }

  /** Whether a service name or sample rate other than the defaults is set (which does nothing while tracing is off). */
  public boolean setsMoreThanItsDefaults() {
    return !serviceName.equals("faultline") || sampleRate != 1.0;
  }

  public static TracingConfig off() {
    return new TracingConfig(false, null, null, null);
  }

  /** Where spans are exported to. */
  OtlpEndpoint exportTo() {
    return OtlpEndpoint.parse(endpoint == null ? OtlpEndpoint.DEFAULT : endpoint);
  }
}
