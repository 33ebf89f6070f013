package io.faultline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.testing.Upstreams;
import io.faultline.chaos.trace.ExchangeTracer;
import io.faultline.gateway.config.ConfigLoader;
import io.faultline.gateway.config.Flag;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.client.WebClient;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.server.GrpcServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tracing end to end: a gateway with all four protocols exports over OTLP/HTTP to a real receiver, real
 * clients send W3C trace context, and real upstreams report the {@code traceparent} they got.
 */
class TracingTest {

  @TempDir
  Path dir;

  private final Vertx vertx = Vertx.vertx();
  private final WebClient web = WebClient.create(vertx);
  private final OtlpReceiver receiver = new OtlpReceiver();
  /** The {@code traceparent} headers each upstream request carried, by what it was (http:/path, grpc, websocket, graphql). */
  private final Map<String, List<List<String>>> upstreamSaw = new ConcurrentHashMap<>();
  private final Map<String, List<List<String>>> stateSaw = new ConcurrentHashMap<>();
  private Gateway gateway;

  @AfterEach
  void close() {
    if (gateway != null) {
      gateway.close().await();
    }
    receiver.close();
    vertx.close().await();
  }

  @Test
  void everyExchangeOnEveryProtocolIsOneSpanWithItsFaultsAndTheUpstreamContinuesTheClientsTrace() throws Exception {
    int upstream = upstream();
    int grpcUpstream = grpcUpstream();
    Path config = dir.resolve("faultline.yaml");
    Files.writeString(config, """
        admin: {port: 0}
        listeners:
          - {name: web, protocol: http, port: 0, upstream: "http://127.0.0.1:%1$d"}
          - {name: rpc, protocol: grpc, port: 0, upstream: "127.0.0.1:%2$d", chaos: {latency: {fixed_delay_ms: 120}}}
          - {name: live, protocol: websocket, port: 0, upstream: "ws://127.0.0.1:%1$d", chaos: {websocket: {handshake_delay_ms: 120}}}
          - {name: open, protocol: websocket, port: 0, upstream: "ws://127.0.0.1:%1$d"}
          - {name: gql, protocol: graphql, port: 0, upstream: "http://127.0.0.1:%1$d", chaos: {latency: {fixed_delay_ms: 120}}}
        chaos:
          enabled: true
          rules:
            - {name: slow, match: {listener: web, path: /slow}, latency: {fixed_delay_ms: 120}}
            - {name: failing, match: {listener: web, path: /fail}, fault_injection: {http_errors: [503], http_error_probability: 1.0}}
        tracing: {enabled: true, endpoint: "%3$s", service_name: shop-gateway}
        """.formatted(upstream, grpcUpstream, receiver.url()));
    gateway = Gateway.start(ConfigLoader.load(config, Map.of(), Map.of()), null, null).await();

    assertThat(get("/plain", traceparent(1)).statusCode()).isEqualTo(200);
    assertThat(get("/slow", traceparent(2)).statusCode()).isEqualTo(200);
    assertThat(get("/fail", traceparent(3)).statusCode()).isEqualTo(503);
    assertThat(grpc(traceparent(4))).isEqualTo("pong:hi");
    // one client, kept until the end: Vert.x closes a client it finds unreachable, with its connections
    var webSockets = vertx.createWebSocketClient();
    var socket = webSockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
        .setPort(gateway.listenerPort("live")).setURI("/feed").addHeader("traceparent", traceparent(5))).await();
    socket.close().await();
    // a connection chaos leaves alone is still one traced exchange
    var untouched = webSockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
        .setPort(gateway.listenerPort("open")).setURI("/open").addHeader("traceparent", traceparent(9))).await();
    untouched.close().await();
    webSockets.close().await();
    var graphql = web.post(gateway.listenerPort("gql"), "127.0.0.1", "/graphql").putHeader("traceparent", traceparent(6))
        .sendJsonObject(new JsonObject().put("query", "query Hello { hello }")).await();
    assertThat(graphql.bodyAsJsonObject().getJsonObject("data").getString("hello")).isEqualTo("world");
    assertThat(get("/plain", null).statusCode()).as("no trace context from the client").isEqualTo(200);

    // one span per exchange (and one client span per upstream call Vert.x made: all but /fail's and the WebSockets')
    List<OtlpReceiver.Received> exchanges = receiver.await(8, span -> span.string("faultline.listener") != null);
    List<OtlpReceiver.Received> calls = receiver.await(5, span -> span.span().getKind() == Span.SpanKind.SPAN_KIND_CLIENT);
    assertThat(exchanges).hasSize(8).allSatisfy(span -> {
      assertThat(span.service()).isEqualTo("shop-gateway");
      assertThat(span.span().getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
      assertThat(span.string("faultline.route")).isEqualTo("default");
    });
    assertThat(calls).hasSize(5);

    var plain = exchange(exchanges, 1);
    assertThat(plain.span().getName()).isEqualTo("http web/default");
    assertThat(plain.parentSpanId()).as("the client's span").isEqualTo(clientSpan(1));
    assertThat(plain.string("faultline.protocol")).isEqualTo("http");
    assertThat(plain.strings("faultline.faults")).isEmpty();
    assertThat(plain.number("faultline.injected_delay_ms")).isZero();
    assertThat(plain.string("faultline.outcome")).isEqualTo("2xx");
    assertThat(plain.number("faultline.status")).isEqualTo(200);
    assertThat(plain.string("url.path")).isEqualTo("/plain");
    assertThat(plain.span().getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_UNSET);
    assertContinues(upstreamSaw.get("http:/plain").get(0), plain, calls);

    var slow = exchange(exchanges, 2);
    assertThat(slow.strings("faultline.faults")).containsExactly("latency");
    assertThat(slow.number("faultline.injected_delay_ms")).isEqualTo(120);
    var slowCall = assertContinues(upstreamSaw.get("http:/slow").get(0), slow, calls);
    // the injected delay is the gap before the upstream call starts (the timer fires no earlier than 120 ms)
    assertThat(slowCall.span().getStartTimeUnixNano() - slow.span().getStartTimeUnixNano()).isGreaterThanOrEqualTo(120_000_000L);

    var failed = exchange(exchanges, 3);
    assertThat(failed.strings("faultline.faults")).containsExactly("http_error");
    assertThat(failed.string("faultline.injected_error")).isEqualTo("http_error");
    assertThat(failed.string("faultline.outcome")).isEqualTo("5xx");
    assertThat(failed.number("faultline.status")).isEqualTo(503);
    assertThat(failed.span().getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
    assertThat(failed.span().getStatus().getMessage()).isEqualTo("injected http_error (503)");
    assertThat(upstreamSaw).as("an injected error never reaches the upstream").doesNotContainKey("http:/fail");

    var rpc = exchange(exchanges, 4);
    assertThat(rpc.string("faultline.protocol")).isEqualTo("grpc");
    assertThat(rpc.string("url.path")).isEqualTo("/chaos.Echo/Ping");
    assertThat(rpc.strings("faultline.faults")).containsExactly("latency");
    assertThat(rpc.number("faultline.injected_delay_ms")).isEqualTo(120);
    assertThat(rpc.number("faultline.status")).as("gRPC OK").isZero();
    assertContinues(upstreamSaw.get("grpc").get(0), rpc, calls);

    var live = exchange(exchanges, 5);
    assertThat(live.string("faultline.protocol")).isEqualTo("websocket");
    assertThat(live.strings("faultline.faults")).containsExactly("handshake_delay");
    assertThat(live.number("faultline.injected_delay_ms")).isEqualTo(120);
    assertThat(live.number("faultline.status")).isEqualTo(101);
    // Vert.x does not trace WebSocket handshakes: the upstream's parent is the exchange's span itself
    assertThat(upstreamSaw.get("websocket:/feed")).singleElement()
        .isEqualTo(List.of("00-" + traceId(5) + "-" + live.spanId() + "-01"));

    var open = exchange(exchanges, 9);
    assertThat(open.string("faultline.protocol")).isEqualTo("websocket");
    assertThat(open.strings("faultline.faults")).isEmpty();
    assertThat(open.number("faultline.status")).isEqualTo(101);
    assertThat(open.string("faultline.outcome")).isEqualTo("2xx");
    assertThat(upstreamSaw.get("websocket:/open")).singleElement()
        .isEqualTo(List.of("00-" + traceId(9) + "-" + open.spanId() + "-01"));

    var gql = exchange(exchanges, 6);
    assertThat(gql.string("faultline.protocol")).isEqualTo("graphql");
    assertThat(gql.string("graphql.operation.type")).isEqualTo("query");
    assertThat(gql.string("graphql.operation.name")).isEqualTo("Hello");
    assertThat(gql.strings("faultline.faults")).containsExactly("latency");
    assertContinues(upstreamSaw.get("graphql").get(0), gql, calls);

    var rootSpan = exchanges.stream().filter(span -> span.parentSpanId().isEmpty()).toList();
    assertThat(rootSpan).as("a trace begins here when the client sent none").singleElement()
        .satisfies(root -> assertContinues(upstreamSaw.get("http:/plain").get(1), root, calls));
    assertThat(receiver.refused()).isEmpty();

    // closing the gateway exports what is still waiting for its batch
    assertThat(get("/plain", traceparent(8)).statusCode()).isEqualTo(200);
    gateway.close().await();
    gateway = null;
    assertThat(receiver.spans()).anySatisfy(span -> assertThat(span.traceId()).isEqualTo(traceId(8)));
  }

  @Test
  void offByDefaultNothingIsExportedAndTheClientsTraceContextPassesAsItCame() throws Exception {
    int upstream = upstream();
    // an endpoint alone would switch tracing on: enabled: false keeps it off
    gateway = Gateway.start(ConfigLoader.load(null, Map.of(), Map.of(Flag.HTTP_PORT, "0", Flag.ADMIN_PORT, "0",
        Flag.UPSTREAM, "http://127.0.0.1:" + upstream, Flag.TRACING, "false", Flag.JAEGER_ENDPOINT, receiver.url())), null, null).await();
    assertThat(ExchangeTracer.of(gateway.vertx())).as("no tracer: the runners trace nothing").isNull();
    assertThat(get("/plain", traceparent(1)).statusCode()).isEqualTo(200);
    assertThat(upstreamSaw.get("http:/plain")).containsExactly(List.of(traceparent(1)));
    gateway.close().await();
    gateway = null;
    assertThat(receiver.spans()).isEmpty();
    assertThat(receiver.refused()).isEmpty();
  }

  @Test
  void theSampleRateDecidesTracesThatStartHereAndAClientsDecisionIsKept() throws Exception {
    int upstream = upstream();
    gateway = Gateway.start(ConfigLoader.load(null, Map.of(), Map.of(Flag.HTTP_PORT, "0", Flag.ADMIN_PORT, "0",
        Flag.UPSTREAM, "http://127.0.0.1:" + upstream, Flag.OTLP_ENDPOINT, receiver.url(), Flag.TRACING_SAMPLE_RATE, "0")), null, null).await();
    assertThat(get("/plain", null).statusCode()).isEqualTo(200);
    assertThat(get("/plain", traceparent(1)).statusCode()).isEqualTo(200);
    receiver.await(1, span -> span.string("faultline.listener") != null);
    gateway.close().await();
    gateway = null;
    assertThat(receiver.spans()).filteredOn(span -> span.string("faultline.listener") != null).singleElement()
        .satisfies(span -> assertThat(span.traceId()).as("sampled by the client").isEqualTo(traceId(1)));
    // the unsampled trace still reaches the upstream, marked unsampled
    List<String> unsampled = upstreamSaw.get("http:/plain").get(0);
    assertThat(unsampled).singleElement().satisfies(header -> assertThat(header).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-00"));
  }

  /**
   * An upstream call sent from elsewhere than the request's own handler still carries the exchange's trace: a GET sent
   * again after the kept-alive connection it went on was closed unanswered (from the connection's close), and a request
   * a latency fault held, released by the kill switch (from the switch's message), on HTTP and gRPC. Each reached the upstream with no
   * {@code traceparent} at all: the client's was taken off, and the client span made from a context without the
   * exchange's span was none.
   */
  @Test
  void aCallSentAgainOrReleasedByTheKillSwitchCarriesItsExchangesTrace() throws Exception {
    int upstream = upstream();
    int grpcUpstream = grpcUpstream();
    Path config = dir.resolve("faultline.yaml");
    Files.writeString(config, """
        admin: {port: 0}
        listeners:
          - {name: web, protocol: http, port: 0, upstream: "http://127.0.0.1:%1$d", instances: 1}
          - {name: rpc, protocol: grpc, port: 0, upstream: "127.0.0.1:%2$d", chaos: {latency: {fixed_delay_ms: 20000}}}
        chaos:
          enabled: true
          rules:
            - {name: held, match: {listener: web, path: /held}, latency: {fixed_delay_ms: 20000}}
        tracing: {enabled: true, endpoint: "%3$s"}
        """.formatted(upstream, grpcUpstream, receiver.url()));
    gateway = Gateway.start(ConfigLoader.load(config, Map.of(), Map.of()), null, null).await();
    assertThat(get("/plain", traceparent(1)).statusCode()).isEqualTo(200); // the connection /drop-once goes on next
    assertThat(get("/drop-once", traceparent(2)).statusCode()).as("sent again on a new connection").isEqualTo(200);
    List<List<String>> dropOnce = upstreamSaw.get("http:/drop-once");
    assertThat(dropOnce).as("the upstream got it twice").hasSize(2);
    assertThat(dropOnce.get(1)).as("the second time too: one traceparent, the exchange's trace, not the client's span")
        .singleElement().satisfies(header -> assertThat(header).startsWith("00-" + traceId(2) + "-").doesNotContain(clientSpan(2)));

    var held = web.get(gateway.listenerPort("web"), "127.0.0.1", "/held").putHeader("traceparent", traceparent(3)).send();
    // a gRPC call held too: released from the switch's message, it went with no traceparent (its client span was none)
    java.util.concurrent.CompletableFuture<String> heldCall = java.util.concurrent.CompletableFuture.supplyAsync(() -> grpc(traceparent(4)));
    vertx.setTimer(500, id -> gateway.vertx().eventBus().request(io.faultline.chaos.control.Addresses.CHAOS_DISABLE, null));
    assertThat(held.await(10, java.util.concurrent.TimeUnit.SECONDS).statusCode()).as("released at once").isEqualTo(200);
    assertThat(heldCall.get(10, java.util.concurrent.TimeUnit.SECONDS)).as("released at once").isEqualTo("pong:hi");
    assertThat(upstreamSaw.get("http:/held")).singleElement().asList()
        .singleElement().satisfies(header -> assertThat((String) header).startsWith("00-" + traceId(3) + "-").doesNotContain(clientSpan(3)));
    assertThat(upstreamSaw.get("grpc")).singleElement().asList()
        .singleElement().satisfies(header -> assertThat((String) header).startsWith("00-" + traceId(4) + "-").doesNotContain(clientSpan(4)));
    // held, then released: a call that came after the switch, never held, would prove nothing
    OtlpReceiver.Received rpc = receiver.await(1, span -> span.string("faultline.listener") != null
        && span.traceId().equals(traceId(4))).get(0);
    assertThat(rpc.strings("faultline.faults")).as("the gRPC call was held by its delay").containsExactly("latency");
  }

  /** W3C Trace Context 3.3.1: a tracestate sent on several lines is one list (the lines after the first were lost). */
  @Test
  void aTracestateSentOnSeveralLinesIsCarriedWhole() throws Exception {
    int upstream = upstream();
    gateway = Gateway.start(ConfigLoader.load(null, Map.of(), Map.of(Flag.HTTP_PORT, "0", Flag.ADMIN_PORT, "0",
        Flag.UPSTREAM, "http://127.0.0.1:" + upstream, Flag.OTLP_ENDPOINT, receiver.url())), null, null).await();
    var request = web.get(gateway.listenerPort("web"), "127.0.0.1", "/plain").putHeader("traceparent", traceparent(1));
    request.headers().add("tracestate", "a=1,b=2").add("tracestate", "c=3");
    assertThat(request.send().await().statusCode()).isEqualTo(200);
    assertThat(stateSaw.get("http:/plain")).containsExactly(List.of("a=1,b=2,c=3"));
    OtlpReceiver.Received span = receiver.await(1, s -> s.string("faultline.listener") != null).get(0);
    assertThat(span.span().getTraceState()).isEqualTo("a=1,b=2,c=3");
  }

  /** Asserts that the upstream got one {@code traceparent}, in {@code exchange}'s trace, from a client span under it; answers that span. */
  private static OtlpReceiver.Received assertContinues(List<String> seen, OtlpReceiver.Received exchange, List<OtlpReceiver.Received> calls) {
    assertThat(seen).as("one traceparent, not the client's as well").hasSize(1);
    String[] parts = seen.get(0).split("-");
    assertThat(parts[1]).isEqualTo(exchange.traceId());
    OtlpReceiver.Received call = calls.stream().filter(c -> c.spanId().equals(parts[2])).findFirst()
        .orElseThrow(() -> new AssertionError("no client span " + parts[2]));
    assertThat(call.parentSpanId()).as("the upstream call is a child of the exchange's span").isEqualTo(exchange.spanId());
    return call;
  }

  private static OtlpReceiver.Received exchange(List<OtlpReceiver.Received> exchanges, int client) {
    List<OtlpReceiver.Received> ofTrace = exchanges.stream().filter(span -> span.traceId().equals(traceId(client))).toList();
    assertThat(ofTrace).as("one span for exchange " + client).hasSize(1);
    return ofTrace.get(0);
  }

  private static String traceId(int client) {
    return "4bf92f3577b34da6a3ce929d0e0e47" + String.format("%02x", client);
  }

  private static String clientSpan(int client) {
    return "00f067aa0ba902" + String.format("%02x", client);
  }

  private static String traceparent(int client) {
    return "00-" + traceId(client) + "-" + clientSpan(client) + "-01";
  }

  private io.vertx.ext.web.client.HttpResponse<Buffer> get(String path, String traceparent) {
    var request = web.get(gateway.listenerPort("web"), "127.0.0.1", path);
    if (traceparent != null) {
      request.putHeader("traceparent", traceparent).putHeader("tracestate", "client=1");
    }
    return request.send().await();
  }

  private String grpc(String traceparent) {
    return GrpcClient.client(vertx).request(SocketAddress.inetSocketAddress(gateway.listenerPort("rpc"), "127.0.0.1"))
        .compose(request -> {
          request.headers().set("traceparent", traceparent);
          return request.fullMethodName("chaos.Echo/Ping").send(Buffer.buffer("hi"));
        })
        .compose(response -> response.last()).await().toString();
  }

  /** An upstream for HTTP, WebSocket and GraphQL (on /graphql) that keeps the traceparent headers of what it got. */
  private int upstream() {
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(Upstreams.portToListenOn()))
        .webSocketHandler(socket -> saw("websocket:" + socket.path(), socket.headers()))
        .requestHandler(request -> request.body().onSuccess(body -> {
          if (request.path().equals("/graphql")) {
            saw("graphql", request.headers());
            request.response().putHeader("Content-Type", "application/json").end("{\"data\":{\"hello\":\"world\"}}");
          } else {
            saw("http:" + request.path(), request.headers());
            if (request.path().equals("/drop-once") && upstreamSaw.get("http:/drop-once").size() == 1) {
              request.connection().close(); // as an upstream closing a kept-alive connection as a request came on it
              return;
            }
            request.response().end("ok");
          }
        }));
    return server.listen().await().actualPort();
  }

  private int grpcUpstream() {
    GrpcServer grpc = GrpcServer.server(vertx);
    grpc.callHandler(call -> {
      saw("grpc", call.headers());
      call.last().onSuccess(body -> call.response().end(Buffer.buffer("pong:").appendBuffer(body)));
    });
    return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(Upstreams.portToListenOn())).requestHandler(grpc).listen().await().actualPort();
  }

  private void saw(String what, MultiMap headers) {
    upstreamSaw.computeIfAbsent(what, k -> new CopyOnWriteArrayList<>()).add(headers.getAll("traceparent"));
    stateSaw.computeIfAbsent(what, k -> new CopyOnWriteArrayList<>()).add(headers.getAll("tracestate"));
  }
}
