package io.faultline.gateway.metrics;

import io.faultline.chaos.listener.BindFailures;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * A Prometheus listener of its own ({@code --metrics --metrics-port PORT}, reference 001's flags): it
 * answers {@code GET /metrics} with what the admin port's {@code /metrics} answers, and nothing else.
 * The admin token, when set, applies here too (Prometheus sends it with {@code authorization.credentials}).
 */
public final class MetricsServerVerticle extends VerticleBase {

  private static final Logger LOG = Logger.getLogger(MetricsServerVerticle.class.getName());

  private final String host;
  private final int port;
  private final String token;
  private final Supplier<String> scrape;
  private HttpServer server;

  public MetricsServerVerticle(String host, int port, String token, Supplier<String> scrape) {
    this.host = host;
    this.port = port;
    this.token = token;
    this.scrape = scrape;
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port)).requestHandler(this::handle);
    return BindFailures.named(server.listen(), "metrics", host, port).onSuccess(s -> LOG.info(() -> "Prometheus metrics on http://" + host + ":" + s.actualPort() + "/metrics"));
  }

  public int actualPort() {
    return server.actualPort();
  }

  private void handle(HttpServerRequest request) {
    String named = io.faultline.admin.SameOrigin.foreignName(host, request);
    if (named != null) {
      // as the admin and Toxiproxy ports: a web page whose name was rebound to 127.0.0.1 read every series (node,
      // listener, route and orchestration names) of a listener on loopback with no token
      request.response().setStatusCode(403).putHeader("Content-Type", "text/plain")
          .end("request for host " + named + " refused: this port answers only localhost, 127.0.0.1 or [::1]\n");
    } else if (!request.path().equals("/metrics")) {
      request.response().setStatusCode(404).putHeader("Content-Type", "text/plain").end("only /metrics is served here\n");
    } else if (!authorized(request.getHeader("Authorization"))) {
      request.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer").end();
    } else {
      // off the event loop, as the admin port's /metrics: the loop carries listeners' traffic too
      vertx.executeBlocking(scrape::get, false).onComplete(text -> {
        if (text.succeeded()) {
          request.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(text.result());
        } else {
          LOG.log(java.util.logging.Level.SEVERE, "the metrics scrape failed", text.cause());
          request.response().setStatusCode(500).putHeader("Content-Type", "text/plain").end("the metrics scrape failed\n");
        }
      });
    }
  }

  private boolean authorized(String header) {
    return token == null || io.faultline.admin.AdminVerticle.bearer(token, header);
  }
}
