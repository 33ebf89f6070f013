package io.faultline.history.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.sql.SQLException;
import java.util.Set;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The pool the store's statements run on, replaced by a new one when a statement finds its connection
 * lost (the database restarted, or ended the session). The Vert.x JDBC pool keeps each connection for its
 * whole life and takes every one for valid, so after a PostgreSQL restart it handed out dead connections
 * ("This connection has been closed.") until the node restarted. A statement that finds its connection
 * lost replaces the pool and runs once more on the new one: it was never executed (the driver refuses a
 * closed connection before sending), or its answer was lost with the connection, and every insert but an
 * exchange's is idempotent. While the database is down the new pool's connects fail, each statement with
 * them, and the first connect after it is back succeeds: nothing waits for it in between.
 */
final class Connections {

  private static final Logger LOG = Logger.getLogger(Connections.class.getName());
  /**
   * SQLSTATEs of a connection that was open and is not any more: connection does not exist, connection
   * failure, and the server's shutdown of a session (admin, crash). A connect that fails (08001, 08004,
   * 57P03 "starting up") leaves nothing dead in the pool.
   */
  private static final Set<String> LOST = Set.of("08003", "08006", "57P01", "57P02");

  private final Supplier<Pool> open;
  private volatile Pool pool;

  Connections(Supplier<Pool> open) {
    this.open = open;
    this.pool = open.get();
  }

  /** Runs {@code sql} with {@code params}, once more on a new pool if the connection it got was lost. */
  Future<RowSet<Row>> execute(String sql, Tuple params) {
    Pool used = pool;
    return used.preparedQuery(sql).execute(params).recover(error -> {
      if (lost(error)) {
        renew(used, error);
      } else if (pool == used) {
        return Future.failedFuture(error);
      } // else another statement found the connections dead and closed this pool under it ("Pool closed"): as lost
      return pool.preparedQuery(sql).execute(params);
    });
  }

  /** Replaces {@code used} unless another statement already has: a restart fails every pooled connection at once. */
  private synchronized void renew(Pool used, Throwable error) {
    if (pool == used) {
      pool = open.get();
      used.close();
      LOG.warning(() -> "history database connection lost (" + error.getMessage() + "): reconnecting");
    }
  }

  Future<Void> close() {
    return pool.close();
  }

  /**
   * Whether a statement that failed with {@code error} may succeed later: the database was out of reach or
   * out of resources (SQLSTATE classes 08, 53, 57, 58, 40: connection, resources, operator intervention,
   * system error, rollback), or the failure carries no SQLSTATE (a pool time-out; SQLite's busy file). A
   * statement the database refused for what it says (a constraint, a type) would fail the same way again: SQLite
   * says so by its result code (it gives no SQLSTATE), a constraint, a mismatched type, a value too big.
   */
  /** SQLite's primary result codes for a statement refused for its content (extended codes carry them in their low byte). */
  private static final int SQLITE_TOOBIG = 18;
  private static final int SQLITE_CONSTRAINT = 19;
  private static final int SQLITE_MISMATCH = 20;
  private static final int SQLITE_RANGE = 25;

  static boolean worthRetrying(Throwable error) {
    for (Throwable e = error; e != null; e = e.getCause() == e ? null : e.getCause()) {
      if (e instanceof org.sqlite.SQLiteException sqlite) {
        return !Set.of(SQLITE_CONSTRAINT, SQLITE_MISMATCH, SQLITE_TOOBIG, SQLITE_RANGE).contains(sqlite.getResultCode().code & 0xff);
      }
      if (e instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().length() >= 2) {
        return Set.of("08", "53", "57", "58", "40").contains(sql.getSQLState().substring(0, 2));
      }
    }
    return true;
  }

  /**
   * The SQLException in {@code error}'s causes that says the database is out of reach (SQLSTATE class 08,
   * connection exceptions, or 57P, the server shutting down or starting up), or null: a statement that
   * failed with it may succeed as is once the database is back.
   */
  static SQLException outOfReach(Throwable error) {
    return withState(error, state -> state.startsWith("08") || state.startsWith("57P"));
  }

  /** The first SQLException among {@code error}'s causes whose SQLSTATE {@code state} accepts, or null. */
  private static SQLException withState(Throwable error, java.util.function.Predicate<String> state) {
    for (Throwable e = error; e != null; e = e.getCause() == e ? null : e.getCause()) {
      if (e instanceof SQLException sql && sql.getSQLState() != null && state.test(sql.getSQLState())) {
        return sql;
      }
    }
    return null;
  }

  /** Whether {@code error} says the connection had been open and is gone. */
  static boolean lost(Throwable error) {
    return withState(error, LOST::contains) != null;
  }
}
