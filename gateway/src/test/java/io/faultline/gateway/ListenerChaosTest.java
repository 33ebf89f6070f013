package io.faultline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.testing.Upstreams;
import io.faultline.gateway.config.ConfigLoader;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A listener's own {@code chaos:} is the base of its traffic: the rule that wins a request on it sets the
 * sections it sets, and the rest come from the listener's chaos, then from the global config; another
 * listener never sees it. Real listeners and a real upstream, from a config file as a user writes one.
 */
class ListenerChaosTest {

  @TempDir
  Path dir;

  private final Vertx vertx = Vertx.vertx();
  private Gateway gateway;
  private WebClient client;

  @BeforeEach
  void start() throws IOException {
    Upstreams.Echo upstream = Upstreams.echoHttp(vertx);
    Path file = dir.resolve("faultline.yaml");
    Files.writeString(file, """
        admin: { port: 0 }
        listeners:
          - name: web
            protocol: http
            port: 0
            upstream: "%1$s"
            chaos:
              fault_injection: { http_errors: [418], http_error_probability: 1.0 }
          - { name: plain, protocol: http, port: 0, upstream: "%1$s" }
        chaos:
          enabled: true
          rules:
            - name: lag-path
              match: { path: "/lag/**" }
              latency: { fixed_delay_ms: 150 }
            - name: down-path
              match: { path: "/down/**" }
              fault_injection: { http_errors: [503], http_error_probability: 1.0 }
        """.formatted(upstream.url()));
    gateway = Gateway.start(ConfigLoader.load(file, Map.of(), Map.of()), file, null).await();
    client = WebClient.create(vertx);
  }

  @AfterEach
  void stop() {
    gateway.close().await();
    vertx.close().await();
  }

  private int status(String listener, String path) {
    return client.get(gateway.listenerPort(listener), "127.0.0.1", path).send().await().statusCode();
  }

  @Test
  void aRuleThatWinsARequestOnAListenerKeepsTheListenersOtherSections() {
    assertThat(status("web", "/x")).as("the listener's own chaos").isEqualTo(418);
    assertThat(status("web", "/lag/a")).as("a rule that sets latency only: the listener's errors stay").isEqualTo(418);
    assertThat(status("web", "/down/a")).as("a section the rule sets wins over the listener's").isEqualTo(503);
    assertThat(status("plain", "/x")).isEqualTo(200);
    assertThat(status("plain", "/down/a")).isEqualTo(503);
    long started = System.nanoTime();
    assertThat(status("plain", "/lag/a")).as("another listener never sees web's chaos").isEqualTo(200);
    assertThat((System.nanoTime() - started) / 1_000_000).isGreaterThanOrEqualTo(145L);
  }

  @Test
  void aNewRuleListThatDoesNotNameTheListenersChaosKeepsIt() {
    var put = client.put(gateway.adminPort(), "127.0.0.1", "/api/chaos/config")
        .sendBuffer(io.vertx.core.buffer.Buffer.buffer("{\"rules\": []}")).await();
    assertThat(put.statusCode()).as(put.bodyAsString()).isEqualTo(200);
    assertThat(status("web", "/down/a")).as("the listed rules are gone").isEqualTo(418);
    assertThat(status("plain", "/down/a")).isEqualTo(200);
    assertThat(status("web", "/x")).as("the listener's own chaos stays").isEqualTo(418);
    var removed = client.delete(gateway.adminPort(), "127.0.0.1", "/api/chaos/rules/listener:web").send().await();
    assertThat(removed.statusCode()).as("deleted by its name, it goes").isEqualTo(200);
    assertThat(status("web", "/x")).isEqualTo(200);
  }
}
