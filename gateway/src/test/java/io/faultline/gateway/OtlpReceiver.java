package io.faultline.gateway;

import io.faultline.chaos.testing.Upstreams;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A real OTLP/HTTP trace receiver, as Jaeger's on port 4318 is, on 127.0.0.1 and a free port: each
 * {@code POST /v1/traces} is decoded as the protobuf {@link ExportTraceServiceRequest} and its spans are
 * kept with the service that sent them.
 */
final class OtlpReceiver implements AutoCloseable {

  /** One span as received, with the {@code service.name} of its resource. */
  public record Received(String service, Span span) {

    public String traceId() {
      return hex(span.getTraceId().toByteArray());
    }

    public String spanId() {
      return hex(span.getSpanId().toByteArray());
    }

    public String parentSpanId() {
      return hex(span.getParentSpanId().toByteArray());
    }

    /** The attribute {@code key}, as the receiver got it, or null. */
    public AnyValue attribute(String key) {
      return value(span.getAttributesList(), key);
    }

    public String string(String key) {
      AnyValue value = attribute(key);
      return value == null ? null : value.getStringValue();
    }

    public List<String> strings(String key) {
      AnyValue value = attribute(key);
      return value == null ? null : value.getArrayValue().getValuesList().stream().map(AnyValue::getStringValue).toList();
    }

    public Long number(String key) {
      AnyValue value = attribute(key);
      return value == null ? null : value.getIntValue();
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final List<Received> spans = new CopyOnWriteArrayList<>();
  private final List<String> refused = new CopyOnWriteArrayList<>();

  public OtlpReceiver() {
    server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(Upstreams.portToListenOn())).requestHandler(request -> {
      if (request.method() != HttpMethod.POST || !request.path().equals("/v1/traces")
          || !"application/x-protobuf".equals(request.getHeader("Content-Type"))) {
        refused.add(request.method() + " " + request.path() + " " + request.getHeader("Content-Type"));
        request.response().setStatusCode(404).end();
        return;
      }
      request.body().onSuccess(body -> {
        try {
          for (ResourceSpans resource : ExportTraceServiceRequest.parseFrom(body.getBytes()).getResourceSpansList()) {
            AnyValue service = value(resource.getResource().getAttributesList(), "service.name");
            for (ScopeSpans scope : resource.getScopeSpansList()) {
              scope.getSpansList().forEach(span -> spans.add(new Received(service == null ? null : service.getStringValue(), span)));
            }
          }
          request.response().putHeader("Content-Type", "application/x-protobuf")
              .end(Buffer.buffer(ExportTraceServiceResponse.getDefaultInstance().toByteArray()));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
          refused.add("undecodable: " + e.getMessage());
          request.response().setStatusCode(400).end();
        }
      });
    });
    server.listen().await();
  }

  /** The URL to export to: {@code http://127.0.0.1:PORT/v1/traces}. */
  public String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/v1/traces";
  }

  public List<Received> spans() {
    return List.copyOf(spans);
  }

  /** The spans that match {@code which}, once {@code count} of them have arrived (spans wait up to a second for their batch). */
  public List<Received> await(int count, Predicate<Received> which) throws InterruptedException {
    ClusterFixture.eventually(() -> spans.stream().filter(which).count() >= count, count + " spans");
    return spans.stream().filter(which).toList();
  }

  /** What was sent that the receiver could not take (wrong path, content type, or bytes). */
  public List<String> refused() {
    return List.copyOf(refused);
  }

  private static AnyValue value(List<KeyValue> attributes, String key) {
    return attributes.stream().filter(a -> a.getKey().equals(key)).map(KeyValue::getValue).findFirst().orElse(null);
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
