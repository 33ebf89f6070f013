package io.faultline.gateway.tracing;

import io.opentelemetry.api.common.AttributeKey;
import java.util.List;

/**
 * The attributes of an exchange's span. Faultline's own are under {@code faultline.}; the request's are
 * OpenTelemetry's semantic-convention names, so tools that know those show them as they do any server's.
 */
final class ExchangeAttributes {

  static final AttributeKey<String> LISTENER = AttributeKey.stringKey("faultline.listener");
  static final AttributeKey<String> PROTOCOL = AttributeKey.stringKey("faultline.protocol");
  /** The route's name, {@code default} for the listener's own upstream. */
  static final AttributeKey<String> ROUTE = AttributeKey.stringKey("faultline.route");
  /** The fault types applied, in the order applied (empty for none). */
  static final AttributeKey<List<String>> FAULTS = AttributeKey.stringArrayKey("faultline.faults");
  /** The delay chaos added before the exchange went on (0 for none). */
  static final AttributeKey<Long> INJECTED_DELAY_MS = AttributeKey.longKey("faultline.injected_delay_ms");
  /** The fault that answered the exchange instead of the upstream, when one did. */
  static final AttributeKey<String> INJECTED_ERROR = AttributeKey.stringKey("faultline.injected_error");
  /** {@code 2xx}, {@code 3xx}, {@code 4xx}, {@code 5xx} or {@code dropped}, as faultline_requests_total counts it. */
  static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("faultline.outcome");
  /** What the client got: the HTTP status (101 for a WebSocket, 0 for none), or the gRPC status code. */
  static final AttributeKey<Long> STATUS = AttributeKey.longKey("faultline.status");

  static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  static final AttributeKey<String> PATH = AttributeKey.stringKey("url.path");
  static final AttributeKey<String> OPERATION_TYPE = AttributeKey.stringKey("graphql.operation.type");
  static final AttributeKey<String> OPERATION_NAME = AttributeKey.stringKey("graphql.operation.name");

  private ExchangeAttributes() {
  }
}
