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
}
