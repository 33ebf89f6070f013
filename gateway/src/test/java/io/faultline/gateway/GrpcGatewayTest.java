package io.faultline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.testing.Upstreams;
import io.faultline.gateway.config.ConfigLoader;
import io.faultline.gateway.config.Flag;
import io.faultline.gateway.config.GatewayConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.client.WebClient;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A grpc listener started from flags, driven over the REST API, observed by a real gRPC client. */
class GrpcGatewayTest {

  @Test
  void grpcListenerFromFlagsFollowsRestChaosChanges() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      GrpcServer upstream = GrpcServer.server(vertx);
      upstream.callHandler(call -> call.last().onSuccess(body -> call.response().end(Buffer.buffer("pong:").appendBuffer(body))));
      int upstreamPort = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(Upstreams.portToListenOn()))
          .requestHandler(upstream).listen().await().actualPort();
      GatewayConfig config = ConfigLoader.load(null, Map.of(), Map.of(Flag.HTTP_PORT, "0", Flag.ADMIN_PORT, "0",
          Flag.GRPC_PORT, "0", Flag.GRPC_UPSTREAM, "127.0.0.1:" + upstreamPort));
      Gateway gateway = Gateway.start(config, null, null).await();
      try {
        GrpcClient client = GrpcClient.client(vertx);
        SocketAddress address = SocketAddress.inetSocketAddress(gateway.listenerPort("rpc"), "127.0.0.1");
        var ok = client.request(address).compose(req -> req.fullMethodName("any.Service/Ping").send(Buffer.buffer("hi")))
            .compose(resp -> resp.last()).await();
        assertThat(ok.toString()).isEqualTo("pong:hi");
        WebClient web = WebClient.create(vertx);
        web.put(gateway.adminPort(), "127.0.0.1", "/api/chaos/config")
            .sendBuffer(Buffer.buffer("{\"enabled\": true, \"fault_injection\": {\"http_errors\": [429], \"http_error_probability\": 1}}")).await();
        var failed = client.request(address).compose(req -> req.fullMethodName("any.Service/Ping").send(Buffer.buffer("hi"))).await();
        failed.end().otherwiseEmpty().await();
        assertThat(failed.status()).isEqualTo(GrpcStatus.RESOURCE_EXHAUSTED);
        String metrics = MetricsTest.scrapeWhen(() -> web.get(gateway.adminPort(), "127.0.0.1", "/metrics").send().await().bodyAsString(),
            "faultline_requests_total{listener=\"rpc\",outcome=\"4xx\",protocol=\"grpc\",route=\"default\"}", 1);
        assertThat(metrics).contains("faultline_requests_total{listener=\"rpc\",outcome=\"2xx\",protocol=\"grpc\",route=\"default\"} 1.0");
        assertThat(metrics).contains("faultline_faults_injected_total{listener=\"rpc\",protocol=\"grpc\",route=\"default\",type=\"http_error\"} 1.0");
      } finally {
        gateway.close().await();
      }
    } finally {
      vertx.close().await();
    }
  }
}
