package io.faultline.gateway.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.engine.RequestFacts;
import io.faultline.chaos.trace.ExchangeSpan;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.tracing.TracingOptions;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;
import io.vertx.tracing.opentelemetry.VertxContextStorageProvider.VertxContextStorage;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Where an exchange's span becomes the parent of Vert.x's upstream calls: on the exchange's own context
 * (a request's duplicate), never on a context other exchanges share, and only until the exchange ends.
 */
class GatewayTracerTest {

  private final Vertx vertx = Vertx.vertx();
  private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder().build())
      .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
  private final GatewayTracer tracer = new GatewayTracer(new OpenTelemetryTracingFactory(sdk).tracer(new TracingOptions()), sdk);
  private final ContextInternal eventLoop = (ContextInternal) vertx.getOrCreateContext();

  @AfterEach
  void close() {
    vertx.close().await();
    sdk.close();
  }

  @Test
  void theSpanIsTheUpstreamCallsParentOnTheExchangesOwnContextUntilItEnds() throws Exception {
    ContextInternal request = eventLoop.duplicate();
    ExchangeSpan span = on(request, this::begin);
    assertThat(on(request, GatewayTracerTest::current)).isEqualTo(span.traceId());
    on(request, () -> end(span));
    assertThat(on(request, GatewayTracerTest::current)).as("taken off when the exchange ends").isNull();
  }

  @Test
  void exchangesSharingAContextKeepTheirSpansButParentNothingThere() throws Exception {
    ExchangeSpan onLoop = on(eventLoop, this::begin);
    assertThat(on(eventLoop, GatewayTracerTest::current)).as("the event loop's context is every connection's").isNull();
    on(eventLoop, () -> end(onLoop));

    ContextInternal connection = eventLoop.duplicate();
    ExchangeSpan first = on(connection, this::begin);
    ExchangeSpan second = on(connection, this::begin);
    assertThat(second.traceId()).isNotEqualTo(first.traceId());
    assertThat(on(connection, GatewayTracerTest::current)).isEqualTo(first.traceId());
    on(connection, () -> end(second));
    assertThat(on(connection, GatewayTracerTest::current)).as("the second did not take the first's off").isEqualTo(first.traceId());
    on(connection, () -> end(first));
    assertThat(on(connection, GatewayTracerTest::current)).isNull();
  }

  private ExchangeSpan begin() {
    return tracer.begin("web", "http", "default", FACTS, System.nanoTime());
  }

  private static Void end(ExchangeSpan span) {
    span.end(new io.faultline.chaos.event.ExchangeRecord(0, "web", "http", "default", "GET", "/", null, 200, "2xx", null, 0, 0, null),
        null, false);
    return null;
  }

  /** The trace id of the OpenTelemetry context Vert.x's client would parent its span on, or null. */
  private static String current() {
    Context active = VertxContextStorage.INSTANCE.current();
    return active == null ? null : Span.fromContext(active).getSpanContext().getTraceId();
  }

  private static <T> T on(ContextInternal context, Callable<T> work) throws Exception {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> {
      try {
        done.complete(work.call());
      } catch (Exception e) {
        done.fail(e);
      }
    });
    return done.future().await(5, TimeUnit.SECONDS);
  }

  private static final RequestFacts FACTS = new RequestFacts() {
    @Override
    public String listener() {
      return "web";
    }

    @Override
    public String route() {
      return null;
    }

    @Override
    public String method() {
      return "GET";
    }

    @Override
    public String path() {
      return "/";
    }

    @Override
    public String host() {
      return "localhost";
    }

    @Override
    public String header(String name) {
      return null;
    }

    @Override
    public String clientIp() {
      return "127.0.0.1";
    }
  };
}
