package io.faultline.gateway.config;

import io.faultline.chaos.config.ChaosConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code serve} flags that set config fields, each with its environment twin
 * ({@code --chaos-latency-ms} ↔ {@code FAULTLINE_CHAOS_LATENCY_MS}) and the config path it sets.
 */
public enum Flag {
  HTTP_PORT("--http-port", "listeners[0].port", Kind.INT),
  HTTP_HOST("--http-host", "listeners[0].host", Kind.STRING),
  UPSTREAM("--upstream", "listeners[0].upstream", Kind.STRING),
  GRPC_PORT("--grpc-port", "grpc[0].port", Kind.INT),
  GRPC_UPSTREAM("--grpc-upstream", "grpc[0].upstream", Kind.STRING),
  WEBSOCKET_PORT("--websocket-port", "websocket[0].port", Kind.INT),
  WEBSOCKET_UPSTREAM("--websocket-upstream", "websocket[0].upstream", Kind.STRING),
  GRAPHQL_PORT("--graphql-port", "graphql[0].port", Kind.INT),
  GRAPHQL_UPSTREAM("--graphql-upstream", "graphql[0].upstream", Kind.STRING),
  TCP_PORT("--tcp-port", "tcp[0].port", Kind.INT),
  TCP_UPSTREAM("--tcp-upstream", "tcp[0].upstream", Kind.STRING),
  TLS_CERT("--tls-cert", "listeners[0].tls.cert_file", Kind.STRING),
  TLS_KEY("--tls-key", "listeners[0].tls.key_file", Kind.STRING),
  TLS_CLIENT_CA("--tls-client-ca", "listeners[0].tls.client_ca_file", Kind.STRING),
  ADMIN_PORT("--admin-port", "admin.port", Kind.INT),
  ADMIN_HOST("--admin-host", "admin.host", Kind.STRING),
  ADMIN_TOKEN("--admin-token", "admin.token", Kind.STRING),
  ADMIN_ALLOWED_HOSTS("--admin-allowed-hosts", "admin.allowed_hosts", Kind.STRING_LIST),
  ADMIN_TLS_CERT("--admin-tls-cert", "admin.tls.cert_file", Kind.STRING),
  ADMIN_TLS_KEY("--admin-tls-key", "admin.tls.key_file", Kind.STRING),
  STATE_DIR("--state-dir", "state_dir", Kind.STRING),
  SHUTDOWN_GRACE_MS("--shutdown-grace-ms", "shutdown_grace_ms", Kind.LONG),
  HISTORY_URL("--history-url", "history.url", Kind.STRING),
  RECORDER("--recorder", "recorder.enabled", Kind.BOOLEAN),
  RECORDER_DB("--recorder-db", "recorder.db", Kind.STRING),
  RECORDER_SAMPLE_RATE("--recorder-sample-rate", "recorder.sample_rate", Kind.DOUBLE),
  CLUSTER("--cluster", "cluster.enabled", Kind.BOOLEAN),
  CLUSTER_HOST("--cluster-host", "cluster.host", Kind.STRING),
  CLUSTER_PORT("--cluster-port", "cluster.port", Kind.INT),
  CLUSTER_MEMBERS("--cluster-members", "cluster.members", Kind.STRING_LIST),
  NODE_ID("--node-id", "cluster.node_id", Kind.STRING),
  REGION("--region", "cluster.region", Kind.STRING),
  ZONE("--zone", "cluster.zone", Kind.STRING),
  BRIDGE_PORT("--bridge-port", "bridge.port", Kind.INT),
  TOXIPROXY_PORT("--toxiproxy-port", "toxiproxy.port", Kind.INT),
  TOXIPROXY_HOST("--toxiproxy-host", "toxiproxy.host", Kind.STRING),
  VERTX_METRICS("--vertx-metrics", "metrics.vertx", Kind.BOOLEAN),
  REQUEST_METRICS("--request-metrics", "metrics.requests", Kind.BOOLEAN),
  METRICS("--metrics", "metrics.listen", Kind.BOOLEAN),
  METRICS_PORT("--metrics-port", "metrics.port", Kind.INT),
  TRACING("--tracing", "tracing.enabled", Kind.BOOLEAN),
  JAEGER_ENDPOINT("--jaeger-endpoint", "tracing.endpoint", Kind.STRING),
  OTLP_ENDPOINT("--otlp-endpoint", "tracing.endpoint", Kind.STRING),
  TRACING_SERVICE_NAME("--tracing-service-name", "tracing.service_name", Kind.STRING),
  TRACING_SAMPLE_RATE("--tracing-sample-rate", "tracing.sample_rate", Kind.DOUBLE),
  SEED("--seed", "chaos.seed", Kind.LONG),
  CHAOS("--chaos", "chaos.enabled", Kind.BOOLEAN),
  CHAOS_SCENARIO("--chaos-scenario", "chaos.scenario", Kind.STRING),
  CHAOS_LATENCY_MS("--chaos-latency-ms", "chaos.latency.fixed_delay_ms", Kind.LONG),
  CHAOS_LATENCY_RANGE("--chaos-latency-range", "chaos.latency.random_delay_range_ms", Kind.RANGE),
  CHAOS_LATENCY_PROBABILITY("--chaos-latency-probability", "chaos.latency.probability", Kind.DOUBLE),
  CHAOS_HTTP_ERRORS("--chaos-http-errors", "chaos.fault_injection.http_errors", Kind.INT_LIST),
  CHAOS_HTTP_ERROR_PROBABILITY("--chaos-http-error-probability", "chaos.fault_injection.http_error_probability", Kind.DOUBLE),
  CHAOS_RATE_LIMIT("--chaos-rate-limit", "chaos.rate_limit.requests_per_second", Kind.DOUBLE),
  CHAOS_BANDWIDTH_LIMIT("--chaos-bandwidth-limit", "chaos.traffic_shaping.bandwidth_limit_bps", Kind.LONG),
  CHAOS_PACKET_LOSS("--chaos-packet-loss", "chaos.traffic_shaping.packet_loss_percent", Kind.DOUBLE),
  CHAOS_MESSAGE_DROP("--chaos-message-drop", "chaos.websocket.message_drop_probability", Kind.DOUBLE),
  CHAOS_MESSAGE_DUPLICATE("--chaos-message-duplicate", "chaos.websocket.message_duplicate_probability", Kind.DOUBLE),
  CHAOS_MESSAGE_CORRUPT("--chaos-message-corrupt", "chaos.websocket.message_corrupt_probability", Kind.DOUBLE),
  CHAOS_DISCONNECT_AFTER_MS("--chaos-disconnect-after-ms", "chaos.websocket.disconnect_after_ms", Kind.LONG),
  CHAOS_CLOSE_CODE("--chaos-close-code", "chaos.websocket.close_code", Kind.INT);

  enum Kind { STRING, INT, LONG, DOUBLE, BOOLEAN, INT_LIST, STRING_LIST, RANGE }

  private final String option;
  private final String path;
  private final Kind kind;

  Flag(String option, String path, Kind kind) {
    this.option = option;
    this.path = path;
    this.kind = kind;
  }

  public String option() {
    return option;
  }

  public String path() {
    return path;
  }

  public String env() {
    return "FAULTLINE_" + option.substring(2).toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /**
   * The switch this flag turns on, as a config path ({@code --metrics-port} implies {@code --metrics}, an endpoint
   * {@code --tracing}, {@code --bridge-port} the bridge, {@code --toxiproxy-port} the Toxiproxy API), or null: set at a
   * higher level than the switch, it wins over a file's {@code listen: false} or {@code enabled: false}, which otherwise
   * left the flag doing nothing.
   */
  String implies() {
    return switch (this) {
      case METRICS_PORT -> METRICS.path;
      case JAEGER_ENDPOINT, OTLP_ENDPOINT -> TRACING.path;
      case BRIDGE_PORT -> "bridge.enabled";
      case TOXIPROXY_PORT -> "toxiproxy.enabled";
      default -> null;
    };
  }

  /** The flag that sets config field {@code path}, or null when only the file sets it. */
  static Flag setting(String path) {
    for (Flag flag : values()) {
      if (flag.path.equals(path)) {
        return flag;
      }
    }
    return null;
  }

  /** True for the chaos-* flags that configure a fault (and so switch chaos on). */
  boolean configuresFault() {
    return path.startsWith("chaos.") && this != CHAOS && this != SEED;
  }

  /** Converts the text of a flag or variable named {@code source}; bad text is reported against it. */
  Object convert(String text, String source) {
    String value = text.trim();
    try {
      return switch (kind) {
        case STRING -> value;
        case INT -> Integer.parseInt(value);
        case LONG -> Long.parseLong(value);
        case DOUBLE -> Double.parseDouble(value);
        case BOOLEAN -> parseBoolean(value, source);
        case INT_LIST -> {
          List<Integer> codes = new ArrayList<>();
          for (String part : value.split(",")) {
            codes.add(Integer.parseInt(part.trim()));
          }
          yield codes;
        }
        case STRING_LIST -> List.of(value.split("\\s*,\\s*"));
        case RANGE -> {
          String[] parts = value.split("-");
          if (parts.length != 2) {
            throw new ChaosConfigException(source, "must be MIN-MAX in milliseconds, got " + text);
          }
          yield List.of(Long.parseLong(parts[0].trim()), Long.parseLong(parts[1].trim()));
        }
      };
    } catch (NumberFormatException e) {
      // Kubernetes sets SERVICE_PORT=tcp://IP:PORT for every Service in the namespace: one named faultline-admin set
      // FAULTLINE_ADMIN_PORT so, and the node would not start, unsaid why
      String hint = value.startsWith("tcp://") && source.startsWith("FAULTLINE_") && source.endsWith("_PORT") ? " (a Kubernetes service link: a Service named "
          + source.substring(0, source.length() - "_PORT".length()).toLowerCase(java.util.Locale.ROOT).replace('_', '-')
          + " set it; give the pod enableServiceLinks: false)" : "";
      throw new ChaosConfigException(source, "must be " + describe() + ", got " + text + hint);
    }
  }

  private String describe() {
    return switch (kind) {
      case INT, LONG -> "a whole number";
      case DOUBLE -> "a number";
      case INT_LIST -> "a comma-separated list of status codes like 500,503";
      default -> "valid";
    };
  }

  private static boolean parseBoolean(String value, String source) {
    if (value.equalsIgnoreCase("true") || value.equals("1") || value.equalsIgnoreCase("yes")) {
      return true;
    }
    if (value.equalsIgnoreCase("false") || value.equals("0") || value.equalsIgnoreCase("no")) {
      return false;
    }
    throw new ChaosConfigException(source, "must be true or false, got " + value);
  }
}
