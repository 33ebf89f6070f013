package io.faultline.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import io.faultline.gateway.config.Flag;
import io.faultline.history.store.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real PostgreSQL (Debian's server, which {@code .ci/run} installs) behind a proxy made with Toxiproxy's
 * Java client, and its JDBC driver as the client: what each toxic does to a database session, as an
 * application would see it. Upper time bounds leave {@link #SLACK_MS} for a shared 2-core machine.
 */
class ToxiproxyPostgresTest {

  private static final long SLACK_MS = 700;
  /** A wait may be measured up to this much short of its delay: cut to whole milliseconds, and a timer can fire a hair early. */
  private static final long EARLY_MS = 5;

  private static PostgresServer postgres;
  private static GatewayFixture gw;
  private static ToxiproxyClient toxiproxy;

  @BeforeAll
  static void start() throws Exception {
    postgres = PostgresServer.start();
    gw = new GatewayFixture(Map.of(Flag.TOXIPROXY_PORT, "0"));
    toxiproxy = new ToxiproxyClient("127.0.0.1", gw.gateway.toxiproxyPort());
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
    postgres.close();
  }

  private static Connection connect(Proxy proxy) throws SQLException {
    String port = proxy.getListen().substring(proxy.getListen().lastIndexOf(':') + 1);
    Properties properties = new Properties();
    properties.setProperty("user", "faultline");
    properties.setProperty("socketTimeout", "10");
    properties.setProperty("connectTimeout", "10");
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", properties);
  }

  private static long timedQuery(Connection connection, String sql) throws SQLException {
    long start = System.nanoTime();
    try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
    }
    return (System.nanoTime() - start) / 1_000_000;
  }

  private Proxy proxy(String name) throws Exception {
    String upstream = postgres.jdbcUrl("postgres").replaceAll("jdbc:postgresql://([^/]+)/.*", "$1");
    return toxiproxy.createProxy(name, "127.0.0.1:0", upstream);
  }

  @Test
  void latencyOnTheResponsesSlowsEveryQueryOfAnOpenSession() throws Exception {
    Proxy proxy = proxy("pg_latency");
    try (Connection session = connect(proxy)) {
      assertThat(timedQuery(session, "SELECT 1")).isLessThan(SLACK_MS);
      proxy.toxics().latency("slow", ToxicDirection.DOWNSTREAM, 300);
      assertThat(timedQuery(session, "SELECT 1")).isBetween(300L - EARLY_MS, 300L + SLACK_MS);
      proxy.toxics().get("slow").remove();
      assertThat(timedQuery(session, "SELECT 1")).isLessThan(SLACK_MS);
    }
    proxy.delete();
  }

  @Test
  void bandwidthPacesALargeResultWithinTenPercent() throws Exception {
    Proxy proxy = proxy("pg_bandwidth");
    try (Connection session = connect(proxy)) {
      timedQuery(session, "SELECT 1");
      proxy.toxics().bandwidth("thin", ToxicDirection.DOWNSTREAM, 250); // 250,000 B/s
      long ms = timedQuery(session, "SELECT repeat('x', 500000)");
      // 500,000 bytes of text plus a few hundred of protocol: 2 s at 250,000 B/s, within 10%
      assertThat(ms).isBetween(1_800L, 2_200L);
    }
    proxy.delete();
  }

  @Test
  void theSessionBreaksWhenItsDataIsCutItsPeerResetsOrTheProxyIsDown() throws Exception {
    Proxy proxy = proxy("pg_faults");
    try (Connection session = connect(proxy)) {
      proxy.toxics().limitData("cap", ToxicDirection.DOWNSTREAM, 1_000);
      assertThatThrownBy(() -> timedQuery(session, "SELECT repeat('x', 5000)")).isInstanceOf(SQLException.class)
          .hasMessageContaining("I/O error");
      proxy.toxics().get("cap").remove();
    }
    try (Connection session = connect(proxy)) {
      proxy.toxics().resetPeer("rst", ToxicDirection.UPSTREAM, 0);
      assertThatThrownBy(() -> timedQuery(session, "SELECT 1")).isInstanceOf(SQLException.class).hasMessageContaining("I/O error");
      proxy.toxics().get("rst").remove();
    }
    proxy.disable();
    assertThatThrownBy(() -> connect(proxy)).isInstanceOf(SQLException.class).hasMessageContaining("refused");
    proxy.enable();
    try (Connection session = connect(proxy)) {
      assertThat(timedQuery(session, "SELECT 1")).isLessThan(SLACK_MS);
    }
    proxy.delete();
  }
}
