package io.faultline.protocol.http;

import io.faultline.chaos.listener.ConnectionGate;

import io.faultline.chaos.config.ChaosConfig;
import io.faultline.chaos.config.ChaosJson;
import io.faultline.chaos.config.ListenerConfig;
import io.faultline.chaos.state.ChaosState;
import io.faultline.chaos.testing.RecordingListener;
import io.faultline.chaos.testing.Upstreams;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

/** A real echo upstream, a real {@link HttpProxyVerticle} in front of it, and a real HTTP client, all on loopback. */
final class GatewayFixture implements AutoCloseable {

  final Vertx vertx = Vertx.vertx();
  private HttpClientAgent h2c;
  final Upstreams.Echo upstream;
  final ChaosState state;
  final RecordingListener events = new RecordingListener();
  final ConnectionGate gate;
  final int port;
  final WebClient client;

  GatewayFixture(String chaosJson) {
    this(chaosJson, null);
  }

  GatewayFixture(String chaosJson, ListenerConfig listener) {
    upstream = Upstreams.echoHttp(vertx);
    state = new ChaosState(chaos(chaosJson), System::nanoTime, 42);
    ListenerConfig config = listener != null ? listener
        : new ListenerConfig("web", "http", "127.0.0.1", 0, upstream.url(), null, 2_000L, null, 1, null, null);
    gate = new ConnectionGate(config);
    HttpProxyVerticle verticle = new HttpProxyVerticle(config, state, gate, config.port(), events);
    vertx.deployVerticle(verticle).await();
    port = verticle.actualPort();
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
  }

  static ChaosConfig chaos(String json) {
    return json == null ? ChaosConfig.off() : ChaosJson.parse(json, ChaosConfig.class, "");
  }

  void setChaos(String json) {
    state.set(chaos(json));
  }

  HttpResponse<Buffer> get(String path) {
    return client.get(path).send().await();
  }

  /**
   * A client that speaks HTTP/2 with prior knowledge (h2c). Made once and kept here: Vert.x closes a client
   * that has become unreachable (a {@link java.lang.ref.Cleaner}), and its connections with it, even with
   * a request in flight, so one made and dropped in a single expression fails at the next collection.
   */
  HttpClientAgent h2c() {
    if (h2c == null) {
      h2c = vertx.createHttpClient(new HttpClientOptions()
          .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2)
          .setHttp2ClearTextUpgrade(false)
          .setDefaultHost("127.0.0.1")
          .setDefaultPort(port));
    }
    return h2c;
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
