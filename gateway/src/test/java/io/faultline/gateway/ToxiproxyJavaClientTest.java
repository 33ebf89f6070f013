package io.faultline.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import eu.rekawek.toxiproxy.model.toxic.Bandwidth;
import eu.rekawek.toxiproxy.model.toxic.Latency;
import eu.rekawek.toxiproxy.model.toxic.LimitData;
import eu.rekawek.toxiproxy.model.toxic.ResetPeer;
import eu.rekawek.toxiproxy.model.toxic.Slicer;
import eu.rekawek.toxiproxy.model.toxic.SlowClose;
import eu.rekawek.toxiproxy.model.toxic.Timeout;
import io.faultline.chaos.testing.Upstreams;
import io.faultline.gateway.config.Flag;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketException;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Toxiproxy's own Java client ({@code eu.rekawek.toxiproxy:toxiproxy-java}) against a Faultline node, as
 * its users run it: proxies are made, each toxic added, updated and removed, a proxy disabled and enabled,
 * everything reset; a plain TCP client of a real echo server measures what each toxic did. Lower bounds are
 * the toxic's; upper ones leave {@link #SLACK_MS} for a shared 2-core machine (a stalled thread, a late timer).
 */
class ToxiproxyJavaClientTest {

  private static final long SLACK_MS = 500;
  /** A wait may be measured up to this much short of its delay: cut to whole milliseconds, and a timer can fire a hair early. */
  private static final long EARLY_MS = 5;

  private final Vertx upstreamVertx = Vertx.vertx();
  private GatewayFixture gw;
  private ToxiproxyClient toxiproxy;
  private int echo;

  @BeforeEach
  void start() {
    echo = Upstreams.echoTcp(upstreamVertx);
    gw = new GatewayFixture(Map.of(Flag.TOXIPROXY_PORT, "0"));
    toxiproxy = new ToxiproxyClient("127.0.0.1", gw.gateway.toxiproxyPort());
  }

  @AfterEach
  void stop() {
    gw.close();
    upstreamVertx.close().await();
  }

  private static int port(Proxy proxy) {
    return Integer.parseInt(proxy.getListen().substring(proxy.getListen().lastIndexOf(':') + 1));
  }

  @Test
  void aProxyIsATcpListenerOfTheNodeAndEachToxicActsOnARealClient() throws Exception {
    Proxy proxy = toxiproxy.createProxy("echo", "127.0.0.1:0", "127.0.0.1:" + echo);
    int port = port(proxy);
    assertThat(port).as("port 0 picks one, and the answer says which").isPositive();
    assertThat(proxy.isEnabled()).isTrue();
    assertThat(toxiproxy.getProxies()).extracting(Proxy::getName).containsExactly("echo");
    try (EchoClient client = new EchoClient(port)) {
      assertThat(client.trip(1000).complete(1000)).isTrue();

      Latency latency = proxy.toxics().latency("slow", ToxicDirection.DOWNSTREAM, 200);
      assertThat(client.trip(100).ms()).as("the open connection follows the toxic").isBetween(200L - EARLY_MS, 200L + SLACK_MS);
      latency.setLatency(400).setJitter(50);
      assertThat(client.trip(100).ms()).isBetween(350L, 450L + SLACK_MS);
      assertThat(((Latency) proxy.toxics().get("slow")).getJitter()).isEqualTo(50);
      latency.remove();
      assertThat(proxy.toxics().getAll()).isEmpty();

      Bandwidth bandwidth = proxy.toxics().bandwidth("thin", ToxicDirection.DOWNSTREAM, 1000);
      bandwidth.setRate(200); // 200 KB/s = 200,000 B/s
      EchoClient.Trip bulk = client.trip(400_000);
      assertThat(bulk.complete(400_000)).isTrue();
      // within 10% of 2 s (the first 20 ms slice goes at once; connection and upstream add a little)
      assertThat(bulk.ms()).isBetween(1_800L, 2_200L);
      bandwidth.remove();
    }

    try (EchoClient client = new EchoClient(port)) {
      LimitData limit = proxy.toxics().limitData("cap", ToxicDirection.DOWNSTREAM, 100);
      limit.setBytes(1_234);
      EchoClient.Trip cut = client.trip(5_000);
      assertThat(cut.bytes()).as("cut at the exact byte").isEqualTo(Upstreams.pattern(1_234));
      assertThat(client.socket.getInputStream().read()).as("then closed").isEqualTo(-1);
      limit.remove();
    }

    Timeout timeout = proxy.toxics().timeout("stall", ToxicDirection.UPSTREAM, 1_000);
    timeout.setTimeout(300);
    try (EchoClient client = new EchoClient(port)) {
      EchoClient.Trip stalled = client.trip(100);
      assertThat(stalled.bytes()).as("no data gets through").isEmpty();
      assertThat(stalled.ms()).as("closed after the timeout").isBetween(300L - EARLY_MS, 300L + SLACK_MS);
    }
    timeout.remove();

    ResetPeer reset = proxy.toxics().resetPeer("rst", ToxicDirection.UPSTREAM, 0);
    reset.setTimeout(100);
    try (EchoClient client = new EchoClient(port)) {
      client.socket.getOutputStream().write(Upstreams.pattern(10));
      assertThatThrownBy(() -> client.socket.getInputStream().read()).isInstanceOf(SocketException.class)
          .hasMessageContaining("Connection reset");
    }
    reset.remove();

    SlowClose slowClose = proxy.toxics().slowClose("linger", ToxicDirection.DOWNSTREAM, 100);
    slowClose.setDelay(400);
    try (EchoClient client = new EchoClient(port)) {
      assertThat(client.trip(10).complete(10)).isTrue();
      long start = System.nanoTime();
      client.socket.shutdownOutput();
      assertThat(client.socket.getInputStream().read()).isEqualTo(-1);
      assertThat((System.nanoTime() - start) / 1_000_000).isBetween(400L - EARLY_MS, 400L + SLACK_MS);
    }
    slowClose.remove();

    Slicer slicer = proxy.toxics().slicer("crumbs", ToxicDirection.DOWNSTREAM, 50, 0);
    slicer.setSizeVariation(10).setDelay(40_000);
    try (EchoClient client = new EchoClient(port)) {
      EchoClient.Trip sliced = client.trip(500);
      assertThat(sliced.complete(500)).isTrue();
      // 500 bytes in slices of 50 ± 10, 40 ms apart: at least 8 slices, so at least 280 ms
      assertThat(sliced.ms()).isGreaterThanOrEqualTo(280L);
    }
    assertThat(((Slicer) proxy.toxics().get("crumbs")).getSizeVariation()).isEqualTo(10);
    slicer.remove();

    String scraped = gw.get("/metrics").bodyAsString();
    for (String type : new String[] {"latency", "bandwidth", "limit_data", "timeout", "reset_peer", "slow_close", "slicer"}) {
      assertThat(scraped).as(type + " counted for the listener").containsPattern(
          "faultline_faults_injected_total\\{[^}]*listener=\"echo\"[^}]*type=\"" + type + "\"[^}]*} [1-9]");
    }
  }

  /**
   * Testcontainers' {@code setConnectionCut(true)} sets a bandwidth of 0 both ways: nothing passes until those toxics
   * are removed, and then what was held goes on (Toxiproxy's bandwidth toxic holds every byte at a rate of 0). It
   * passed everything: a rate of 0 was taken for no limit.
   */
  @Test
  void aBandwidthOfZeroBothWaysCutsTheConnectionUntilItsToxicsAreRemoved() throws Exception {
    Proxy proxy = toxiproxy.createProxy("cut", "127.0.0.1:0", "127.0.0.1:" + echo);
    try (EchoClient client = new EchoClient(port(proxy))) {
      assertThat(client.trip(100).complete(100)).isTrue();
      proxy.toxics().bandwidth("CUT_CONNECTION_DOWNSTREAM", ToxicDirection.DOWNSTREAM, 0);
      proxy.toxics().bandwidth("CUT_CONNECTION_UPSTREAM", ToxicDirection.UPSTREAM, 0);
      client.socket.setSoTimeout(1_000);
      client.socket.getOutputStream().write(Upstreams.pattern(100));
      assertThatThrownBy(() -> client.socket.getInputStream().read()).as("cut: nothing comes back")
          .isInstanceOf(java.net.SocketTimeoutException.class);
      proxy.toxics().get("CUT_CONNECTION_DOWNSTREAM").remove();
      proxy.toxics().get("CUT_CONNECTION_UPSTREAM").remove();
      client.socket.setSoTimeout(10_000);
      assertThat(client.read(100)).as("what the cut held").isEqualTo(Upstreams.pattern(100));
    }
  }

  /**
   * A proxy named {@code host:port}, as Testcontainers' {@code ToxiproxyContainer.getProxy(host, port)} names each one
   * (and suites written before it copy), is made, relays, takes toxics and is deleted: it was refused, naming the field.
   */
  @Test
  void aProxyNamedHostColonPortAsTestcontainersNamesItWorks() throws Exception {
    String name = "localhost:" + echo;
    Proxy proxy = toxiproxy.createProxy(name, "127.0.0.1:0", "127.0.0.1:" + echo);
    assertThat(toxiproxy.getProxy(name).getUpstream()).isEqualTo("127.0.0.1:" + echo);
    try (EchoClient client = new EchoClient(port(proxy))) {
      assertThat(client.trip(100).complete(100)).isTrue();
      proxy.toxics().latency("slow", ToxicDirection.DOWNSTREAM, 300);
      assertThat(client.trip(100).ms()).isBetween(300L - EARLY_MS, 300L + SLACK_MS);
      assertThat(toxiproxy.getProxy(name).toxics().getAll()).extracting(t -> t.getName()).containsExactly("slow");
    }
    proxy.delete();
    assertThat(toxiproxy.getProxies()).isEmpty();
  }

  /** A latency lowered while it holds a reply lets the reply go at once, as Toxiproxy's update does: it kept the old 5 s. */
  @Test
  void aLatencyLoweredWhileItHoldsAReplyLetsItGoAtOnce() throws Exception {
    Proxy proxy = toxiproxy.createProxy("lowered", "127.0.0.1:0", "127.0.0.1:" + echo);
    try (EchoClient client = new EchoClient(port(proxy))) {
      Latency latency = proxy.toxics().latency("slow", ToxicDirection.DOWNSTREAM, 5_000);
      long start = System.nanoTime();
      client.socket.getOutputStream().write(Upstreams.pattern(100));
      Thread.sleep(300); // the echo is held by now
      latency.setLatency(0);
      assertThat(client.read(100)).isEqualTo(Upstreams.pattern(100));
      assertThat((System.nanoTime() - start) / 1_000_000).as("ms for the reply").isLessThan(300 + SLACK_MS);
    }
  }

  @Test
  void disablingAProxyRefusesConnectionsAndEnablingItServesThemAgain() throws Exception {
    Proxy proxy = toxiproxy.createProxy("echo", "127.0.0.1:0", "127.0.0.1:" + echo);
    int port = port(proxy);
    EchoClient open = new EchoClient(port);
    assertThat(open.trip(10).complete(10)).isTrue();
    proxy.disable();
    assertThat(proxy.isEnabled()).isFalse();
    assertThatThrownBy(() -> new Socket("127.0.0.1", port)).isInstanceOf(ConnectException.class);
    assertThat(open.socket.getInputStream().read()).as("its open connections are closed").isEqualTo(-1);
    open.close();
    JsonObject rule = gw.get("/api/chaos/rules").bodyAsJsonObject().getJsonArray("rules").getJsonObject(0);
    assertThat(rule.getJsonObject("tcp").getBoolean("down")).as("down is the listener's chaos, shared like the rest").isTrue();
    proxy.enable();
    assertThat(proxy.isEnabled()).isTrue();
    try (EchoClient again = new EchoClient(port)) {
      assertThat(again.trip(10).complete(10)).isTrue();
    }
  }

  @Test
  void resetEnablesEveryProxyAndRemovesEveryToxicAndDeleteFreesThePort() throws Exception {
    Proxy proxy = toxiproxy.createProxy("echo", "127.0.0.1:0", "127.0.0.1:" + echo);
    int port = port(proxy);
    proxy.toxics().latency("slow", ToxicDirection.UPSTREAM, 1_000);
    proxy.disable();
    toxiproxy.reset();
    Proxy after = toxiproxy.getProxy("echo");
    assertThat(after.isEnabled()).isTrue();
    assertThat(after.toxics().getAll()).isEmpty();
    try (EchoClient client = new EchoClient(port)) {
      assertThat(client.trip(10).ms()).isLessThan(SLACK_MS);
    }
    assertThat(toxiproxy.version()).contains("\"version\"");
    after.delete();
    assertThat(toxiproxy.getProxyOrNull("echo")).isNull();
    assertThatThrownBy(() -> new Socket("127.0.0.1", port)).isInstanceOf(ConnectException.class);
  }

  /**
   * A suite's set-up and tear-down as Toxiproxy users write them: the proxy made on a fixed port, used, disabled,
   * deleted, made again on that port. A disable with a connection open took 2 s: the check that the port was
   * closed took the connection it had just closed (in TIME_WAIT on that port) for a listener, until it gave up.
   */
  @Test
  void aDisabledOrDeletedProxysPortRefusesAtOnceAndTakesTheProxyAgain() throws Exception {
    int port = port(toxiproxy.createProxy("echo", "127.0.0.1:0", "127.0.0.1:" + echo));
    toxiproxy.getProxy("echo").delete();
    for (int round = 0; round < 10; round++) {
      Proxy proxy = toxiproxy.createProxy("echo", "127.0.0.1:" + port, "127.0.0.1:" + echo);
      try (EchoClient open = new EchoClient(port)) {
        assertThat(open.trip(10).complete(10)).as("round %d", round).isTrue();
        long started = System.nanoTime();
        proxy.disable();
        assertThat((System.nanoTime() - started) / 1_000_000).as("round %d: ms to disable", round).isLessThan(1_000 + SLACK_MS);
        assertThat(open.socket.getInputStream().read()).isEqualTo(-1);
      }
      proxy.enable();
      try (EchoClient again = new EchoClient(port)) {
        assertThat(again.trip(10).complete(10)).as("round %d", round).isTrue();
      }
      proxy.delete();
      assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).as("round %d", round).isInstanceOf(ConnectException.class);
    }
  }

  @Test
  void proxiesAreSeenInFaultlinesOwnListenersTrafficAndChaosConfig() throws Exception {
    Proxy proxy = toxiproxy.createProxy("cache", "127.0.0.1:0", "127.0.0.1:" + echo);
    proxy.toxics().latency("slow", ToxicDirection.DOWNSTREAM, 20);
    JsonArray listeners = gw.get("/api/listeners").bodyAsJsonObject().getJsonArray("listeners");
    assertThat(listeners.stream().map(l -> ((JsonObject) l).getString("name"))).contains("web", "cache");
    JsonObject cache = listeners.stream().map(JsonObject.class::cast).filter(l -> l.getString("name").equals("cache")).findFirst().get();
    assertThat(cache.getString("protocol")).isEqualTo("tcp");
    assertThat(cache.getInteger("port")).isEqualTo(port(proxy));
    assertThat(cache.getString("origin")).isEqualTo("api");
    JsonObject rule = gw.get("/api/chaos/rules").bodyAsJsonObject().getJsonArray("rules").getJsonObject(0);
    assertThat(rule.getString("name")).isEqualTo("listener:cache");
    assertThat(rule.getJsonObject("tcp").getJsonArray("toxics").getJsonObject(0).getString("type")).isEqualTo("latency");
    assertThat(gw.status().getBoolean("enabled")).as("a toxic switches chaos on, as its client expects it to act").isTrue();
    try (EchoClient client = new EchoClient(port(proxy))) {
      client.trip(10);
    }
    JsonArray summaries = awaitTraffic("cache");
    assertThat(summaries).isNotEmpty();
    JsonObject change = gw.get("/api/chaos/changes?limit=1").bodyAsJsonObject().getJsonArray("changes").getJsonObject(0);
    assertThat(change.getString("source")).isEqualTo("toxiproxy");
  }

  @Test
  void aClientsToxicsActUnderAnyRuleThatMatchesTheListener() throws Exception {
    // a rule with no match wins all traffic, the proxy's connections too (first match wins)
    assertThat(gw.postJson("/api/chaos/rules", "{\"name\": \"everything\", \"latency\": {\"fixed_delay_ms\": 150}}")
        .statusCode()).isEqualTo(201);
    Proxy proxy = toxiproxy.createProxy("echo", "127.0.0.1:0", "127.0.0.1:" + echo);
    proxy.toxics().latency("slow", ToxicDirection.DOWNSTREAM, 300);
    try (EchoClient client = new EchoClient(port(proxy))) {
      // the proxy's rule (listener:echo) is the base of its traffic: the winning rule takes the toxics from it
      assertThat(client.trip(100).ms()).as("the client's toxic acts").isBetween(300L - EARLY_MS, 300L + SLACK_MS);
    }
    proxy.toxics().get("slow").remove();
    try (EchoClient client = new EchoClient(port(proxy))) {
      assertThat(client.trip(100).ms()).isLessThan(300L - EARLY_MS);
    }
  }

  /** Waits (up to 10 s) for a traffic summary that shows a connection on {@code listener}; answers the recent summaries. */
  private JsonArray awaitTraffic(String listener) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      JsonArray summaries = gw.get("/api/traffic/recent?seconds=10").bodyAsJsonObject().getJsonArray("summaries");
      boolean seen = summaries.stream().map(JsonObject.class::cast).flatMap(s -> s.getJsonArray("listeners").stream())
          .map(JsonObject.class::cast).anyMatch(l -> l.getString("name").equals(listener) && l.getLong("requests") > 0);
      if (seen) {
        return summaries;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no traffic summary showed a connection on " + listener);
  }
}
