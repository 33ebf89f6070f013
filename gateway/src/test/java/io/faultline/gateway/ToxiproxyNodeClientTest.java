package io.faultline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.testing.NodeClients;
import io.faultline.chaos.testing.Upstreams;
import io.faultline.gateway.config.Flag;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Toxiproxy's Node client ({@code toxiproxy-node-client} 4.1.0, installed by this test from npm into
 * {@code target/toxiproxy-node}) drives the Toxiproxy-compatible API from {@code src/test/node/toxiproxy-client-test.js},
 * which measures every toxic with a plain {@code net} client of an echo server behind the proxy.
 */
class ToxiproxyNodeClientTest {

  private static final Path DIR = Path.of("target", "toxiproxy-node");
  private static final String CLIENT = "toxiproxy-node-client@4.1.0";

  @Test
  void theNodeClientCreatesProxiesAndEveryToxicActsAsItsUsersExpect() throws Exception {
    NodeClients client = new NodeClients(DIR, CLIENT);
    Vertx upstreamVertx = Vertx.vertx();
    try (GatewayFixture gw = new GatewayFixture(Map.of(Flag.TOXIPROXY_PORT, "0"))) {
      int echo = Upstreams.echoTcp(upstreamVertx);
      String output = client.node("toxiproxy-client-test.js", 180, "http://127.0.0.1:" + gw.gateway.toxiproxyPort(),
          Integer.toString(echo));
      for (String check : List.of("create", "plain", "latency", "latency updated", "toxic read back", "bandwidth", "limit_data",
          "timeout", "reset_peer", "slow_close", "slicer", "disable", "enable", "populate", "reset", "list", "delete", "version",
          "bad toxic refused")) {
        assertThat(output).as(output).contains("ok " + check + " ");
      }
    } finally {
      upstreamVertx.close().await();
    }
  }
}
