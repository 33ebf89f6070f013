package io.faultline.history.store;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The store contract on a shared database: a real PostgreSQL server started for these tests. Outside CI a
 * machine without PostgreSQL skips them; in CI ({@code CI} set) they must run ({@code .ci/run} installs it).
 */
class PostgresHistoryStoreTest extends HistoryStoreContract {

  private static PostgresServer server;
  private String url;

  @BeforeAll
  static void startServer() throws Exception {
    assumeTrue(PostgresServer.binaries() != null || System.getenv("CI") != null, "PostgreSQL is not installed");
    server = PostgresServer.start();
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Override
  protected HistoryStore open() throws Exception {
    url = server.createDatabase();
    return reopen();
  }

  @Override
  protected HistoryStore reopen() {
    return Databases.open(vertx, Databases.target(url, null, null, "history.url"), 2).await();
  }

  /**
   * A database that already holds other tables is refused saying so, and what to do: Flyway's advice
   * (baseline(), baselineOnMigrate) named options no user of the node has. A schema of its own works.
   */
  @org.junit.jupiter.api.Test
  void aDatabaseHoldingOtherTablesIsRefusedSayingWhatToDo() throws Exception {
    String other = server.createDatabase();
    String name = other.substring(other.lastIndexOf('/') + 1);
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(server.jdbcUrl(name), "faultline", null)) {
      c.createStatement().execute("CREATE TABLE orders (id int)");
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Databases.open(vertx, Databases.target(other, null, null, "history.url"), 2,
            "history.url").await())
        .hasMessageContaining("already holds other tables").hasMessageContaining("currentSchema").hasMessageNotContaining("baseline");
    Databases.open(vertx, Databases.target(other + "?currentSchema=faultline", null, null, "history.url"), 2, "history.url").await().close();
  }
}
