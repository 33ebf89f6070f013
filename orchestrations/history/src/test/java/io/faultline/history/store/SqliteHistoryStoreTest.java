package io.faultline.history.store;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on the embedded database: an SQLite file. */
class SqliteHistoryStoreTest extends HistoryStoreContract {

  @TempDir
  Path dir;

  @Override
  protected HistoryStore open() {
    return Databases.open(vertx, Databases.target(null, dir, "history.db", "history.url"), 2).await();
  }

  @Override
  protected HistoryStore reopen() {
    return open();
  }
}
