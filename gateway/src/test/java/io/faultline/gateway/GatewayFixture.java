package io.faultline.gateway;

import io.faultline.chaos.testing.Upstreams;
import io.faultline.gateway.config.ConfigLoader;
import io.faultline.gateway.config.Flag;
import io.faultline.gateway.config.GatewayConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** A whole gateway node on loopback ports, a real echo upstream, and HTTP clients for its traffic and admin ports. */
final class GatewayFixture implements AutoCloseable {

  final Vertx clientVertx = Vertx.vertx();
  final Upstreams.Echo upstream = Upstreams.echoHttp(clientVertx);
  final Gateway gateway;
  final WebClient client;
  String token;

  GatewayFixture(Map<Flag, String> flags) {
    this(null, flags);
  }

  GatewayFixture(Path file, Map<Flag, String> flags) {
    this(file, flags, () -> { });
  }

  /** {@code whileStarting} runs between the file's load and the gateway's start (an edit made then). */
  GatewayFixture(Path file, Map<Flag, String> flags, Runnable whileStarting) {
    Map<Flag, String> all = new HashMap<>(Map.of(Flag.HTTP_PORT, "0", Flag.ADMIN_PORT, "0", Flag.UPSTREAM, upstream.url()));
    all.putAll(flags);
    GatewayConfig config = ConfigLoader.load(file, Map.of(), all);
    whileStarting.run();
    gateway = Gateway.start(config, file, () -> ConfigLoader.load(file, Map.of(), all)).await();
    client = WebClient.create(clientVertx);
  }

  HttpResponse<Buffer> traffic(String path) {
    return client.get(gateway.listenerPort("web"), "127.0.0.1", path).send().await();
  }

  HttpRequest<Buffer> admin(io.vertx.core.http.HttpMethod method, String path) {
    HttpRequest<Buffer> request = client.request(method, gateway.adminPort(), "127.0.0.1", path);
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    return request;
  }

  HttpResponse<Buffer> get(String path) {
    return admin(io.vertx.core.http.HttpMethod.GET, path).send().await();
  }

  HttpResponse<Buffer> post(String path) {
    return admin(io.vertx.core.http.HttpMethod.POST, path).send().await();
  }

  HttpResponse<Buffer> put(String path, String body) {
    return admin(io.vertx.core.http.HttpMethod.PUT, path).sendBuffer(Buffer.buffer(body)).await();
  }

  HttpResponse<Buffer> postJson(String path, String body) {
    return admin(io.vertx.core.http.HttpMethod.POST, path).sendBuffer(Buffer.buffer(body)).await();
  }

  JsonObject status() {
    return get("/api/chaos/status").bodyAsJsonObject();
  }

  @Override
  public void close() {
    gateway.close().await();
    clientVertx.close().await();
  }
}
