package io.faultline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.chaos.testing.Upstreams;
import io.faultline.gateway.config.Flag;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
    installClient();
    Path script = DIR.resolve("toxiproxy-client-test.js");
    Files.copy(Path.of("src", "test", "node", "toxiproxy-client-test.js"), script, StandardCopyOption.REPLACE_EXISTING);
    Vertx upstreamVertx = Vertx.vertx();
    try (GatewayFixture gw = new GatewayFixture(Map.of(Flag.TOXIPROXY_PORT, "0"))) {
      int echo = Upstreams.echoTcp(upstreamVertx);
      String output = run(List.of("node", script.getFileName().toString(), "http://127.0.0.1:" + gw.gateway.toxiproxyPort(),
          Integer.toString(echo)), 180);
      for (String check : List.of("create", "plain", "latency", "latency updated", "toxic read back", "bandwidth", "limit_data",
          "timeout", "reset_peer", "slow_close", "slicer", "disable", "enable", "populate", "reset", "list", "delete", "version",
          "bad toxic refused")) {
        assertThat(output).as(output).contains("ok " + check + " ");
      }
    } finally {
      upstreamVertx.close().await();
    }
  }

  /** npm install of the client into target/ (a clean machine has node and npm, not the package); once per build directory. */
  private static void installClient() throws Exception {
    if (Files.exists(DIR.resolve("node_modules/toxiproxy-node-client/package.json"))) {
      return;
    }
    Files.createDirectories(DIR);
    run(List.of("npm", "install", "--prefix", ".", "--no-audit", "--no-fund", "--no-save", "--no-package-lock", CLIENT), 300);
  }

  private static String run(List<String> command, long seconds) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).directory(DIR.toFile()).redirectErrorStream(true).start();
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish in " + seconds + " s");
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(String.join(" ", command) + " output:\n" + output).isZero();
    return output;
  }
}
