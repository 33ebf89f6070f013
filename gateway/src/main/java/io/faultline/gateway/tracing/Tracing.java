package io.faultline.gateway.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.spi.VertxTracerFactory;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * A node's OpenTelemetry: an SDK of its own (the global one is left alone), W3C trace context, a sampler
 * that keeps a client's decision and samples {@code sample_rate} of the traces that start here, and a
 * batch exporter to the OTLP/HTTP endpoint. {@link #factory()} makes the Vert.x tracer the node's Vert.x
 * is built with; {@link #shutdown()} exports what is left once Vert.x has closed.
 *
 * <p>Nothing on the request path waits for an export: spans queue (up to 2,048; more are dropped, as the
 * SDK does) and a background thread sends them, in batches at least once a second.
 */
public final class Tracing {

  private static final Logger LOG = Logger.getLogger(Tracing.class.getName());

  /** How long spans wait for a batch: a trace shows in Jaeger about a second after it ends (the SDK's default is 5 s). */
  static final Duration EXPORT_DELAY = Duration.ofSeconds(1);

  /**
   * How long one export may take: an export under way when the node stops, then the last one, both fit in the
   * 15 s a stop is given (the SDK's 10 s and 30 s did not, and the stop ended without the warning of lost spans).
   */
  static final Duration EXPORT_TIMEOUT = Duration.ofSeconds(5);

  private final OpenTelemetrySdk sdk;
  private final String url;

  private Tracing(OpenTelemetrySdk sdk, String url) {
    this.sdk = sdk;
    this.url = url;
  }

  /** Starts exporting as {@code config} says (the config must be enabled). */
  public static Tracing start(TracingConfig config) {
    OtlpEndpoint endpoint = config.exportTo();
    if (endpoint.warning() != null) {
      LOG.warning(endpoint.warning());
    }
    OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
        .setEndpoint(endpoint.url())
        .setTimeout(EXPORT_TIMEOUT)
        .setMeterProvider(MeterProvider::noop)
        .build();
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), config.serviceName()))))
        .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(config.sampleRate())))
        .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(EXPORT_DELAY).setExporterTimeout(EXPORT_TIMEOUT).build())
        .build();
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(provider)
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
    LOG.info(() -> "tracing: exporting spans of service " + config.serviceName() + " over OTLP/HTTP to " + endpoint.url()
        + " (sample rate " + config.sampleRate() + ")");
    return new Tracing(sdk, endpoint.url());
  }

  /** The tracer factory for the node's Vert.x: Vert.x's OpenTelemetry tracer for upstream calls, and the exchange spans. */
  public VertxTracerFactory factory() {
    VertxTracerFactory vertxOwn = new OpenTelemetryTracingFactory(sdk);
    return options -> new GatewayTracer(vertxOwn.tracer(options), sdk);
  }

  /** Where spans go. */
  public String url() {
    return url;
  }

  /**
   * Exports the spans still queued, then stops. Completes when the last export is answered or has timed
   * out ({@link #EXPORT_TIMEOUT}), on the exporter's thread: nothing waits for it on an event loop.
   */
  public Future<Void> shutdown() {
    Promise<Void> done = Promise.promise();
    CompletableResultCode result = sdk.getSdkTracerProvider().shutdown();
    result.whenComplete(() -> {
      if (!result.isSuccess()) {
        LOG.warning(() -> "tracing: the last spans could not be exported to " + url);
      }
      done.complete();
    });
    return done.future();
  }
}
