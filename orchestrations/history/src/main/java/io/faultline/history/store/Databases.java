package io.faultline.history.store;

import io.faultline.chaos.config.ChaosConfigException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.jdbcclient.JDBCConnectOptions;
import io.vertx.jdbcclient.JDBCPool;
import io.vertx.sqlclient.PoolOptions;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Logger;
import org.flywaydb.core.Flyway;

/**
 * Opens the history database and brings its schema up to date with Flyway (migrations in
 * {@code io/faultline/history/db}): an SQLite file by default, or PostgreSQL when a
 * {@code postgresql://user:password@host:port/database} URL is configured. Both go through the Vert.x
 * JDBC pool, so the store speaks one SQL dialect ({@code ?} parameters) to both; Flyway needs the
 * JDBC driver anyway, so PostgreSQL costs one driver, not two.
 */
public final class Databases {

  private static final Logger LOG = Logger.getLogger(Databases.class.getName());

  /**
   * Flyway narrates every step at INFO; what matters here is one line per start (below) and its warnings.
   * Held here: java.util.logging keeps loggers weakly, and a level set on one nobody holds is forgotten.
   */
  private static final Logger FLYWAY = Logger.getLogger("org.flywaydb");

  static {
    FLYWAY.setLevel(java.util.logging.Level.WARNING);
  }

  /**
   * What to tell a client whose request failed with {@code error} because the database is out of reach
   * (down, restarting, unreachable), or null when it failed for another reason.
   */
  public static String outOfReach(Throwable error) {
    java.sql.SQLException cause = Connections.outOfReach(error);
    return cause == null ? null
        : "the history database is out of reach (" + cause.getMessage() + "); history answers again once it is back";
  }

  /** Where the database is: a JDBC URL and its credentials, and whether several nodes share it. */
  public record Target(String jdbcUrl, String user, String password, boolean shared) {

    /** The URL without credentials, for logs and answers. */
    public String describe() {
      return jdbcUrl.replaceAll("password=[^&]*", "password=***");
    }
  }

  /**
   * SQLite's LIKE ignores ASCII case unless told otherwise, PostgreSQL's does not: the filters that use it
   * (a run's tag, a recorded path's prefix, a fault) answer the same on both only with this pragma set.
   */
  private static final String CASE_SENSITIVE_LIKE = "case_sensitive_like=true";

  private Databases() {
  }

  /**
   * The database for {@code url} (null: the SQLite file {@code history.db} in {@code dir}). Accepted:
   * {@code postgresql://} or {@code postgres://} URLs, {@code jdbc:postgresql:} and {@code jdbc:sqlite:}
   * URLs; anything else is refused naming {@code field}.
   */
  public static Target target(String url, Path dir, String file, String field) {
    if (url == null || url.isBlank()) {
      return new Target("jdbc:sqlite:" + dir.resolve(file).toAbsolutePath()
          + "?journal_mode=WAL&synchronous=NORMAL&busy_timeout=10000&" + CASE_SENSITIVE_LIKE, null, null, false);
    }
    if (url.startsWith("jdbc:sqlite:")) {
      if (url.contains(":memory:") || url.contains("mode=memory")) {
        // each connection of the pool would open an empty database of its own, the schema made on another one gone:
        // every write failed ("no such table") and was retried for 5 minutes, every read answered 500
        throw new ChaosConfigException(field, "an in-memory SQLite database is one per connection, and history needs one all"
            + " its connections share: give a file (jdbc:sqlite:/PATH/history.db), or turn history off (history.enabled: false), got " + url);
      }
      return new Target(url.contains("case_sensitive_like") ? url : url + (url.contains("?") ? "&" : "?") + CASE_SENSITIVE_LIKE,
          null, null, false);
    }
    if (url.startsWith("jdbc:postgresql:")) {
      return new Target(url, null, null, true);
    }
    if (url.startsWith("postgresql://") || url.startsWith("postgres://")) {
      URI uri;
      try {
        uri = URI.create(url);
      } catch (IllegalArgumentException e) {
        throw new ChaosConfigException(field, "is not a URL: " + e.getMessage());
      }
      if (uri.getHost() == null || uri.getPath() == null || uri.getPath().length() < 2) {
        throw new ChaosConfigException(field, "must be postgresql://USER:PASSWORD@HOST[:PORT]/DATABASE");
      }
      String user = null;
      String password = null;
      if (uri.getRawUserInfo() != null) {
        String[] parts = uri.getRawUserInfo().split(":", 2);
        // percent-decoded only: a URL's '+' is a plus (URLDecoder, for forms, made "a+b" the password "a b")
        user = URLDecoder.decode(parts[0].replace("+", "%2B"), StandardCharsets.UTF_8);
        password = parts.length > 1 ? URLDecoder.decode(parts[1].replace("+", "%2B"), StandardCharsets.UTF_8) : null;
      }
      String jdbc = "jdbc:postgresql://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + uri.getRawPath()
          + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
      return new Target(jdbc, user, password, true);
    }
    throw new ChaosConfigException(field, "must be a postgresql:// URL (or jdbc:postgresql: / jdbc:sqlite:), got "
        + url.replaceAll("//[^@/]*@", "//***@"));
  }

  /**
   * Creates the directory (SQLite), migrates the schema, then opens a pool (replaced by a new one when the
   * database ends its connections, see {@link Connections}): blocking work, off the event loop.
   * A database that cannot be reached or written fails naming {@code field} and the database's own reason
   * (refused connection, wrong password, read-only file), not the migration tool's report.
   */
  public static Future<HistoryStore> open(Vertx vertx, Target target, int poolSize, String field) {
    return open(vertx, target, poolSize).recover(error -> Future.failedFuture(
        new ChaosConfigException(field, "cannot open the database " + target.describe() + ": " + reason(error))));
  }

  /** The innermost cause's first line: what the driver said. */
  private static String reason(Throwable error) {
    Throwable inner = error;
    while (inner.getCause() != null && inner.getCause() != inner) {
      inner = inner.getCause();
    }
    if (inner instanceof java.nio.file.FileSystemException fs) { // its message is the bare path
      return fs.getFile() + (fs instanceof java.nio.file.FileAlreadyExistsException ? " is a file, not a directory"
          : fs instanceof java.nio.file.AccessDeniedException ? ": permission denied" : ": " + fs.getClass().getSimpleName());
    }
    String text = inner.getMessage() == null ? inner.toString() : inner.getMessage();
    if (text.contains("but no schema history table")) {
      // Flyway's advice (baseline(), baselineOnMigrate) names options a user of this node does not have
      return "it already holds other tables (not Faultline's history): give the history an empty database, or a schema of its own"
          + " (?currentSchema=faultline on the URL)";
    }
    return text.lines().findFirst().orElse(text).strip();
  }

  /** {@link #open(Vertx, Target, int, String)} without naming a field. */
  public static Future<HistoryStore> open(Vertx vertx, Target target, int poolSize) {
    return vertx.executeBlocking(() -> {
      if (target.jdbcUrl().startsWith("jdbc:sqlite:")) {
        Path file = Path.of(target.jdbcUrl().substring("jdbc:sqlite:".length()).replaceAll("\\?.*$", ""));
        if (file.getParent() != null) {
          Files.createDirectories(file.getParent());
        }
      }
      var result = Flyway.configure(Databases.class.getClassLoader())
          .dataSource(target.jdbcUrl(), target.user(), target.password())
          .locations("classpath:io/faultline/history/db")
          .load()
          .migrate();
      LOG.info(() -> "history database " + target.describe() + ": " + (result.migrationsExecuted == 0 ? "schema up to date"
          : result.migrationsExecuted + " migrations applied, schema version " + result.targetSchemaVersion));
      return null;
    }).map(v -> new SqlHistoryStore(new Connections(() -> JDBCPool.pool(vertx, new JDBCConnectOptions().setJdbcUrl(target.jdbcUrl())
        .setUser(target.user()).setPassword(target.password()), new PoolOptions().setMaxSize(poolSize)))));
  }
}
